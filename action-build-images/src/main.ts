// action-build-images: typed inputs → core planning and building → outputs, job summary, and a
// post step that logs out of the registry. All domain logic lives in @kaapana-ext/core/images.
import * as core from '@actions/core';
import { resolve } from 'node:path';
import {
  getBool,
  getChoice,
  getInt,
  getList,
  getMap,
  getSecret,
  runMainOrPost,
  cell,
  writeJobSummary,
  loginAllForPost,
  logoutFromState,
  parseRegistryAuth,
  type RegistryCredentials,
  actionsExec,
} from '@kaapana-ext/actions-kit';
import { errorMessage, KxError } from '@kaapana-ext/core';
import {
  dagImagesOf,
  lintReferences,
  referenceLintOutcome,
  registryLookup,
  type LintSettings,
  type ReferenceFinding,
} from '@kaapana-ext/core/references';
import {
  applyMetadata,
  buildImages,
  parseBuildContexts,
  parseCacheEntry,
  parseSecrets,
  readGitMetadata,
  type BuildFeatures,
  discoverDockerfiles,
  gitVersion,
  kaapanaSource,
  DockerCli,
  parseTagStyle,
  planBuild,
  planToMermaid,
  validateRegistry,
  type BuildPlan,
  type Builder,
  type ImageResult,
  type TagStyle,
} from '@kaapana-ext/core/images';
import { parseImageRef } from '@kaapana-ext/core/registry';

export interface Inputs {
  context: string;
  dockerfiles: string[];
  ignore: string[];
  registry: string;
  version: string;
  imageVersions: Record<string, string>;
  chartVersion: string;
  kaapanaSource: string;
  kaapanaIgnore: string[];
  referenceLint: 'error' | 'warn' | 'off';
  tagStyle: TagStyle;
  platformVersion: string;
  platformAbbr: string;
  baseImages: Record<string, string>;
  buildArgs: Record<string, string>;
  parallel: number;
  push: boolean;
  pushPartial: boolean;
  skipExisting: boolean;
  includeIgnored: boolean;
  builder: Builder;
  retries: number;
  username: string;
  password: string;
  registryAuth: RegistryCredentials[];
  features: BuildFeatures;
  ociLabels: boolean;
  labels: Record<string, string>;
  extraTags: string[];
  localImages: string;
  saveLocalImages: string;
  dryRun: boolean;
}

/** Lines of a multi-line input (not split at commas: cache entries and secrets contain them). */
function getLines(name: string): string[] {
  return core
    .getInput(name)
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
}

/** Secret values are masked before anything can print them. */
function getSecretLines(name: string): string[] {
  const lines = core
    .getInput(name)
    .split(/\r?\n/)
    .filter((s) => s.trim() !== '');
  for (const l of lines) {
    const v = l.slice(l.indexOf('=') + 1);
    if (v) core.setSecret(v);
  }
  return lines.map((l) => l.replace(/^\s+/, ''));
}

export function getInputs(): Inputs {
  return {
    context: resolve(core.getInput('context') || '.'),
    dockerfiles: getList('dockerfiles'),
    ignore: getList('ignore'),
    registry: validateRegistry(core.getInput('registry', { required: true })),
    version: core.getInput('version').trim(),
    imageVersions: getMap('image-versions'),
    chartVersion: core.getInput('chart-version').trim(),
    kaapanaSource: core.getInput('kaapana-source').trim() ? resolve(core.getInput('kaapana-source').trim()) : '',
    kaapanaIgnore: core
      .getInput('kaapana-ignore-patterns')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    referenceLint: getChoice('reference-lint', ['error', 'warn', 'off'] as const, 'error'),
    tagStyle: parseTagStyle(core.getInput('tag-style')),
    platformVersion: core.getInput('platform-version').trim(),
    platformAbbr: core.getInput('platform-abbr').trim() || 'kp',
    baseImages: getMap('base-images'),
    buildArgs: getMap('build-args'),
    parallel: getInt('parallel', 2, 1),
    push: getBool('push', true),
    pushPartial: getBool('push-partial', false),
    skipExisting: getBool('skip-existing', false),
    includeIgnored: getBool('include-ignored', false),
    builder: getChoice('builder', ['auto', 'buildx', 'classic'] as const, 'auto'),
    retries: getInt('retries', 5, 1),
    username: core.getInput('username'),
    password: getSecret('password'),
    registryAuth: parseRegistryAuth(core.getInput('registry-auth')),
    features: {
      cacheFrom: getLines('cache-from').map((l) => parseCacheEntry(l, 'cache-from')),
      cacheTo: getLines('cache-to').map((l) => parseCacheEntry(l, 'cache-to')),
      target: core.getInput('target').trim(),
      secrets: parseSecrets(getSecretLines('secrets')),
      buildContexts: parseBuildContexts(getLines('build-contexts')),
    },
    ociLabels: getBool('oci-labels', true),
    labels: getMap('labels'),
    extraTags: getList('extra-tags'),
    localImages: core.getInput('local-images').trim() ? resolve(core.getInput('local-images').trim()) : '',
    saveLocalImages: core.getInput('save-local-images').trim()
      ? resolve(core.getInput('save-local-images').trim())
      : '',
    dryRun: getBool('dry-run', false),
  };
}

export interface Planned {
  plan: BuildPlan;
  /** The run's default version (version input or git), for KAAPANA_BUILD_VERSION without platform-version. */
  defaultVersion?: string;
}

async function makePlan(inputs: Inputs): Promise<Planned> {
  const { skippedDirs, ...found } = await discoverDockerfiles({
    context: inputs.context,
    dockerfiles: inputs.dockerfiles,
    ignore: inputs.ignore,
    kaapanaIgnore: inputs.kaapanaIgnore,
  });
  for (const s of skippedDirs) core.info(`not searched for Dockerfiles: ${s.dir} (${s.reason})`);
  const git = inputs.version ? undefined : await gitVersion(inputs.context);
  const plan = await planBuild({
    context: inputs.context,
    ...found,
    registry: inputs.registry,
    versions: {
      overrides: inputs.imageVersions,
      ...(inputs.chartVersion
        ? { chartVersion: inputs.chartVersion, dagImages: await dagImagesOf(inputs.context) }
        : {}),
      ...(inputs.version ? { version: inputs.version } : {}),
      ...(git ? { git } : {}),
    },
    ...(inputs.kaapanaSource ? { source: await kaapanaSource(inputs.kaapanaSource, inputs.kaapanaIgnore) } : {}),
    log: (m) => core.info(m),
    tagStyle: inputs.tagStyle,
    platformVersion: inputs.platformVersion,
    abbr: inputs.platformAbbr,
    baseImages: inputs.baseImages,
    includeIgnored: inputs.includeIgnored,
  });
  const defaultVersion = inputs.version || git?.version;
  const decorated = applyMetadata(plan, {
    ociLabels: inputs.ociLabels,
    labels: inputs.labels,
    extraTags: inputs.extraTags,
    meta: await readGitMetadata(inputs.context),
  });
  return { plan: decorated, ...(defaultVersion ? { defaultVersion } : {}) };
}

/** The reference lint (see @kaapana-ext/core/references); annotations for every finding. */
async function lint(inputs: Inputs, planned: Planned): Promise<ReferenceFinding[]> {
  if (inputs.referenceLint === 'off') return [];
  const findings = await lintReferences({
    context: inputs.context,
    plan: planned.plan,
    ...lintSettings(inputs, planned),
    registry: inputs.registry,
    exists: registryLookup(inputs.registry, { username: inputs.username, password: inputs.password }),
  });
  const { warnings, error } = referenceLintOutcome(findings, inputs.referenceLint);
  for (const f of warnings)
    core.warning(f.message, { file: f.file, ...(f.line ? { startLine: f.line } : {}), title: 'reference lint' });
  if (error) throw error;
  return findings;
}

/** What references resolve with; also in the plan output, for package-chart's lint. */
function lintSettings(inputs: Inputs, planned: Planned): LintSettings {
  return {
    registry: inputs.registry,
    tagStyle: inputs.tagStyle,
    ...(inputs.platformVersion ? { platformVersion: inputs.platformVersion } : {}),
    ...(planned.defaultVersion ? { buildVersion: planned.defaultVersion } : {}),
    abbr: inputs.platformAbbr,
    ...(inputs.chartVersion ? { chartVersion: inputs.chartVersion } : {}),
  };
}

function planJson(plan: BuildPlan, findings: ReferenceFinding[], settings: LintSettings): string {
  return JSON.stringify({
    images: plan.images.map(({ dockerfilePath: _p, contextDir: _c, ...rest }) => rest),
    baseImages: plan.baseImages,
    skipped: plan.skipped,
    duplicates: plan.duplicates,
    findings,
    settings,
  });
}

async function writeSummary(plan: BuildPlan, results: ImageResult[] | undefined, dryRun: boolean): Promise<void> {
  const rows = plan.images.map((img) => {
    const r = results?.find((x) => x.name === img.name);
    return [
      cell(img.name),
      cell(img.localOnly ? `local-only/${img.name}` : img.tags.join(', ')),
      cell(img.versionRule),
      cell(img.dockerfile),
      cell(r ? r.status : dryRun ? 'planned' : 'not-built'),
      cell(r?.digest ? `\`${r.digest.slice(0, 19)}…\`` : ''),
      cell(r && r.durationMs ? `${(r.durationMs / 1000).toFixed(1)} s` : ''),
    ];
  });
  const table = [
    '| image | reference | tag from | Dockerfile | status | digest | time |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  let md = `## Kaapana extension images${dryRun ? ' (dry run)' : ''}\n\n${table}\n\n### Build order\n\n\`\`\`mermaid\n${planToMermaid(plan)}\n\`\`\`\n`;
  if (plan.skipped.length)
    md += `\nSkipped by label: ${plan.skipped.map((s) => `\`${s.dockerfile}\` (${s.reason})`).join(', ')}\n`;
  if (plan.duplicates.length)
    md += `\nDuplicate IMAGE labels (first in path order kept, as Kaapana's build): ${plan.duplicates.map((d) => `\`${d.image}\` kept \`${d.kept}\`, dropped \`${d.dropped}\``).join('; ')}\n`;
  const labelled = plan.images.filter((i) => i.labels && Object.keys(i.labels).length);
  if (labelled.length) {
    md += `\n### Labels\n\n| image | label | value |\n| --- | --- | --- |\n`;
    for (const img of labelled)
      for (const [k, v] of Object.entries(img.labels!)) md += `| ${cell(img.name)} | \`${cell(k)}\` | ${cell(v)} |\n`;
  }
  await writeJobSummary(md);
}

async function main(): Promise<void> {
  const inputs = getInputs();
  const docker = new DockerCli({ exec: actionsExec });
  if (!inputs.dryRun) {
    await core.group('Docker', async () => {
      const v = await docker.version();
      const bx = await docker.buildxInfo();
      const buildx = bx.available ? `buildx ${bx.version ?? '(version unknown)'}` : 'buildx not installed';
      core.info(
        `docker client ${v.client}, engine ${v.server}, ${buildx}, builder ${await docker.resolveBuilder(inputs.builder)}${process.env.DOCKER_BUILDKIT === '0' ? ' (DOCKER_BUILDKIT=0)' : ''}`,
      );
    });
  }
  const planned = await core.group('Plan', async () => {
    const p = await makePlan(inputs);
    for (const img of p.plan.images) {
      core.info(
        `${'  '.repeat(img.level)}${img.localOnly ? 'local-only/' + img.name : `${img.tags.join(' ')} [${img.versionRule}]`}  (${img.dockerfile}${img.dependsOn.length ? `, FROM ${img.dependsOn.join(', ')}` : ''})`,
      );
    }
    for (const m of p.plan.baseImages) core.info(`base ${m.localRef} ← ${m.source}`);
    for (const s of p.plan.skipped) core.info(`skipped ${s.dockerfile}: ${s.reason}`);
    return p;
  });
  const plan = planned.plan;
  const findings = await core.group('Reference lint', () => lint(inputs, planned));
  core.setOutput('plan', planJson(plan, findings, lintSettings(inputs, planned)));
  if (inputs.dryRun) {
    core.setOutput('images', JSON.stringify([]));
    core.setOutput('digests', JSON.stringify({}));
    await writeSummary(plan, undefined, true);
    return;
  }
  if (plan.images.length === 0) core.warning(`no images to build below ${inputs.context}`);

  const registryHost = parseImageRef(`${inputs.registry}/x:1`).registry;
  // registry-auth logins come first (private bases are pulled by the builds); username/password is
  // the push registry's login and wins when registry-auth names the same host.
  const logins = inputs.registryAuth.filter(
    (c) => !(inputs.username && inputs.password && inputs.push && c.registry === registryHost),
  );
  if (inputs.username && inputs.password && inputs.push)
    logins.push({ registry: registryHost, username: inputs.username, password: inputs.password });
  await loginAllForPost(docker, logins);

  let loaded: string[] = [];
  if (inputs.localImages) {
    loaded = await core.group(`Load ${inputs.localImages}`, async () => {
      const refs = await docker.load(inputs.localImages).catch((e: unknown) => {
        throw new KxError(`local-images: cannot load ${inputs.localImages}: ${errorMessage(e)}`);
      });
      for (const r of refs) core.info(`loaded ${r}`);
      return refs;
    });
  }

  let results: ImageResult[] | undefined;
  try {
    const out = await buildImages({
      plan,
      docker,
      builder: inputs.builder,
      parallel: inputs.parallel,
      push: inputs.push,
      pushPartial: inputs.pushPartial,
      skipExisting: inputs.skipExisting,
      buildArgs: inputs.buildArgs,
      features: inputs.features,
      loaded,
      ...(inputs.saveLocalImages ? { saveLocalImages: inputs.saveLocalImages } : {}),
      retry: { attempts: inputs.retries },
      ...(inputs.username && inputs.password
        ? { auth: { registry: registryHost, username: inputs.username, password: inputs.password } }
        : {}),
      auths: inputs.registryAuth,
      onProgress: (m) => core.info(m),
      onNotice: (m) => core.notice(m),
      onImageDone: (r, output) => {
        if (output.length === 0) return;
        core.startGroup(
          `${r.status === 'failed' ? '✗' : '✓'} ${r.localOnly ? 'local-only/' + r.name : r.ref} (${r.status})`,
        );
        for (const line of output) core.info(line);
        core.endGroup();
      },
    });
    results = out.results;
  } catch (e) {
    results = (e as { results?: ImageResult[] }).results;
    throw e;
  } finally {
    if (results) {
      core.setOutput('images', JSON.stringify(results));
      core.setOutput(
        'digests',
        JSON.stringify(Object.fromEntries(results.filter((r) => r.digest).map((r) => [r.ref, r.digest]))),
      );
      await writeSummary(plan, results, false);
    }
  }
}

export async function run(): Promise<void> {
  await runMainOrPost(main, logoutFromState);
}

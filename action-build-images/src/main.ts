// action-build-images: typed inputs → core planning and building → outputs, job summary, and a
// post step that logs out of the registry. All domain logic lives in @kaapana-ext/core/images.
import * as core from '@actions/core';
import { resolve } from 'node:path';
import { getBool, getChoice, getInt, getList, getMap, getSecret, runMainOrPost, cell, writeJobSummary, loginForPost, logoutFromState } from '@kaapana-ext/core/action';
import {
  buildImages,
  discoverDockerfiles,
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
  dryRun: boolean;
}

export function getInputs(): Inputs {
  return {
    context: resolve(core.getInput('context') || '.'),
    dockerfiles: getList('dockerfiles'),
    ignore: getList('ignore'),
    registry: validateRegistry(core.getInput('registry', { required: true })),
    version: core.getInput('version').trim(),
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
    dryRun: getBool('dry-run', false),
  };
}

async function makePlan(inputs: Inputs): Promise<BuildPlan> {
  const found = await discoverDockerfiles({ context: inputs.context, dockerfiles: inputs.dockerfiles, ignore: inputs.ignore });
  return planBuild({
    context: inputs.context,
    ...found,
    registry: inputs.registry,
    version: inputs.version,
    tagStyle: inputs.tagStyle,
    platformVersion: inputs.platformVersion,
    abbr: inputs.platformAbbr,
    baseImages: inputs.baseImages,
    includeIgnored: inputs.includeIgnored,
  });
}

function planJson(plan: BuildPlan): string {
  return JSON.stringify({
    images: plan.images.map(({ dockerfilePath: _p, contextDir: _c, ...rest }) => rest),
    baseImages: plan.baseImages,
    skipped: plan.skipped,
  });
}

async function writeSummary(plan: BuildPlan, results: ImageResult[] | undefined, dryRun: boolean): Promise<void> {
  const rows = plan.images.map((img) => {
    const r = results?.find((x) => x.name === img.name);
    return [
      cell(img.name),
      cell(img.localOnly ? `local-only/${img.name}` : img.ref),
      cell(img.dockerfile),
      cell(r ? r.status : dryRun ? 'planned' : 'not-built'),
      cell(r?.digest ? `\`${r.digest.slice(0, 19)}…\`` : ''),
      cell(r && r.durationMs ? `${(r.durationMs / 1000).toFixed(1)} s` : ''),
    ];
  });
  const table = ['| image | reference | Dockerfile | status | digest | time |', '| --- | --- | --- | --- | --- | --- |', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  let md = `## Kaapana extension images${dryRun ? ' (dry run)' : ''}\n\n${table}\n\n### Build order\n\n\`\`\`mermaid\n${planToMermaid(plan)}\n\`\`\`\n`;
  if (plan.skipped.length) md += `\nSkipped by label: ${plan.skipped.map((s) => `\`${s.dockerfile}\` (${s.reason})`).join(', ')}\n`;
  await writeJobSummary(md);
}

async function main(): Promise<void> {
  const inputs = getInputs();
  const docker = new DockerCli();
  if (!inputs.dryRun) {
    await core.group('Docker', async () => {
      const v = await docker.version();
      core.info(`docker client ${v.client}, engine ${v.server}, builder ${await docker.resolveBuilder(inputs.builder)}`);
    });
  }
  const plan = await core.group('Plan', async () => {
    const p = await makePlan(inputs);
    for (const img of p.images) {
      core.info(`${'  '.repeat(img.level)}${img.localOnly ? 'local-only/' + img.name : img.ref}  (${img.dockerfile}${img.dependsOn.length ? `, FROM ${img.dependsOn.join(', ')}` : ''})`);
    }
    for (const m of p.baseImages) core.info(`base ${m.localRef} ← ${m.source}`);
    for (const s of p.skipped) core.info(`skipped ${s.dockerfile}: ${s.reason}`);
    return p;
  });
  core.setOutput('plan', planJson(plan));
  if (inputs.dryRun) {
    core.setOutput('images', JSON.stringify([]));
    core.setOutput('digests', JSON.stringify({}));
    await writeSummary(plan, undefined, true);
    return;
  }
  if (plan.images.length === 0) core.warning(`no images to build below ${inputs.context}`);

  const registryHost = parseImageRef(`${inputs.registry}/x:1`).registry;
  if (inputs.username && inputs.password && inputs.push) {
    await loginForPost(docker, registryHost, inputs.username, inputs.password);
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
      retry: { attempts: inputs.retries },
      ...(inputs.username && inputs.password ? { auth: { registry: registryHost, username: inputs.username, password: inputs.password } } : {}),
      onProgress: (m) => core.info(m),
      onImageDone: (r, output) => {
        if (output.length === 0) return;
        core.startGroup(`${r.status === 'failed' ? '✗' : '✓'} ${r.localOnly ? 'local-only/' + r.name : r.ref} (${r.status})`);
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
      core.setOutput('digests', JSON.stringify(Object.fromEntries(results.filter((r) => r.digest).map((r) => [r.ref, r.digest]))));
      await writeSummary(plan, results, false);
    }
  }
}

export async function run(): Promise<void> {
  await runMainOrPost(main, logoutFromState);
}

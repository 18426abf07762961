// action-package-chart: typed inputs → the reference lint of each chart's image values (against
// build-images' plan and the registry, @kaapana-ext/core/references) and the core chart engine
// (dependency update, package, optional OCI push) for each chart → `packages` output, job summary table, warnings for Kaapana lint findings
// and error annotations on bad files. All chart logic lives in @kaapana-ext/core/chart.
import * as core from '@actions/core';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { KxAggregateError, KxError, errorMessage } from '@kaapana-ext/core';
import {
  annotationPath,
  cell,
  getBool,
  getChoice,
  getList,
  getSecret,
  maskInputSecrets,
  reportFailure,
  writeJobSummary,
} from '@kaapana-ext/actions-kit';
import {
  isWorkflowChart,
  loadDir,
  lintKaapanaChart,
  ociTag,
  packageChart,
  parseOciUrl,
  pushChart,
  resolveChartDirs,
  validateMetadata,
  type Chart,
  type PackageResult,
} from '@kaapana-ext/core/chart';
import { discoverDockerfiles, parseDockerfile, parseTagStyle } from '@kaapana-ext/core/images';
import {
  chartLintSettings,
  lintChartReferences,
  parseBuiltImages,
  referenceLintOutcome,
  registryLookup,
  type BuiltImage,
  type LintSettings,
} from '@kaapana-ext/core/references';

/** IMAGE labels of the Dockerfiles next to the chart (its extension directory); [] when unknown. */
async function extensionImages(chartDir: string): Promise<string[]> {
  try {
    const { all } = await discoverDockerfiles({ context: dirname(chartDir) });
    const names: string[] = [];
    for (const f of all) {
      const image = parseDockerfile(await readFile(f, 'utf8'), f).labels.IMAGE;
      if (image) names.push(image);
    }
    return names;
  } catch {
    return [];
  }
}

export interface Inputs {
  workspace: string;
  charts: string[];
  version: string;
  appVersion: string;
  dependencyUpdate: boolean;
  searchPaths: string[];
  kaapanaSource: string;
  destination: string;
  push: string;
  username: string;
  password: string;
  skipExisting: boolean;
  allowExternalSymlinks: boolean;
  dryRun: boolean;
  referenceLint: 'error' | 'warn' | 'off';
  /** The reference lint's view of the run: the images it builds and what references resolve with. */
  references: { images: BuiltImage[]; settings: LintSettings };
}

export interface PackagedChart {
  name: string;
  version: string;
  path: string;
  /** Empty in a dry run (nothing was packaged). */
  sha256: string;
  /** Set in a dry run: `path` is where the archive would be written. */
  dryRun?: true;
  digest?: string;
  ref?: string;
  pushed?: 'pushed' | 'skipped';
}

export function getInputs(): Inputs {
  const workspace = resolve(process.env.GITHUB_WORKSPACE ?? '.');
  const single = core.getInput('chart').trim();
  const charts = [...(single ? [single] : []), ...getList('charts')];
  if (charts.length === 0)
    throw new KxError('set the input chart (one chart directory) or charts (directories or globs)');
  const push = core.getInput('push').trim();
  if (push) parseOciUrl(push);
  return {
    workspace,
    charts,
    version: core.getInput('version').trim(),
    appVersion: core.getInput('app-version').trim(),
    dependencyUpdate: getBool('dependency-update', true),
    searchPaths: getList('chart-search-paths').map((p) => resolve(workspace, p)),
    kaapanaSource: core.getInput('kaapana-source').trim()
      ? resolve(workspace, core.getInput('kaapana-source').trim())
      : '',
    destination: resolve(workspace, core.getInput('destination').trim() || '.'),
    push,
    username: core.getInput('username'),
    password: getSecret('password'),
    skipExisting: getBool('skip-existing', false),
    allowExternalSymlinks: getBool('allow-external-symlinks', false),
    dryRun: getBool('dry-run', false),
    referenceLint: getChoice('reference-lint', ['error', 'warn', 'off'] as const, 'error'),
    references: referenceInputs(),
  };
}

function referenceInputs(): Inputs['references'] {
  const built = parseBuiltImages(core.getInput('images'), 'input images');
  const settings = chartLintSettings(built.settings, {
    registry: core.getInput('registry').trim(),
    tagStyle: parseTagStyle(core.getInput('tag-style').trim() || 'platform'),
    platformVersion: core.getInput('platform-version').trim(),
    abbr: core.getInput('platform-abbr').trim() || 'kp',
    chartVersion: core.getInput('version').trim(),
  });
  return { images: built.images, settings };
}

/** The reference lint of one chart (@kaapana-ext/core/references): warnings annotated, errors thrown. */
async function lintChartImages(dir: string, inputs: Inputs): Promise<void> {
  if (inputs.referenceLint === 'off') return;
  const { images, settings } = inputs.references;
  const exists = settings.registry ? registryLookup(settings.registry, inputs) : undefined;
  const findings = await lintChartReferences({ chartDir: dir, images, ...settings, ...(exists ? { exists } : {}) });
  const { warnings, error } = referenceLintOutcome(findings, inputs.referenceLint);
  for (const f of warnings)
    core.warning(f.message, {
      file: annotationPath(f.file),
      ...(f.line ? { startLine: f.line } : {}),
      title: 'reference lint',
    });
  if (error) throw error;
}

/** Reads the chart and applies the rules checked before anything is written. */
async function checkedChart(dir: string, inputs: Inputs): Promise<Chart> {
  // A workflow chart without dag-installer-chart installs no DAG.
  const before = await loadDir(dir, { allowExternalSymlinks: inputs.allowExternalSymlinks });
  if (isWorkflowChart(before) && !(before.metadata.dependencies ?? []).some((d) => d?.name === 'dag-installer-chart')) {
    throw new KxError(
      `workflow chart ${before.metadata.name} (keyword kaapanaworkflow) has no dag-installer-chart dependency: nothing would install its DAG image`,
      {
        file: before.dependencyFile?.file ?? join(dir, 'Chart.yaml'),
      },
    );
  }
  await lintChartImages(dir, inputs);
  return before;
}

/** dry-run: what would be packaged and pushed; no dependency update, nothing written or pushed. */
async function planOne(dir: string, inputs: Inputs): Promise<PackagedChart> {
  const chart = await checkedChart(dir, inputs);
  const file = join(dir, 'Chart.yaml');
  validateMetadata({ ...chart.metadata, ...(inputs.version ? { version: inputs.version } : {}) }, { file });
  const name = chart.metadata.name as string;
  const version = inputs.version || (chart.metadata.version as string);
  const path = join(inputs.destination, `${name}-${version}.tgz`);
  for (const d of (chart.metadata.dependencies ?? []).filter((x) => x !== null))
    core.info(`dependency ${d.name} ${d.version ?? ''} ${d.repository ?? '(by name)'}: not updated (dry run)`);
  core.info(`dry run: would write ${path}${inputs.dependencyUpdate ? ' after a dependency update' : ''}`);
  const planned: PackagedChart = { name, version, path, sha256: '', dryRun: true };
  if (inputs.push) {
    const loc = parseOciUrl(inputs.push);
    planned.ref = `${loc.registry}/${loc.path ? `${loc.path}/` : ''}${name}:${ociTag(version)}`;
    core.info(`dry run: would push ${planned.ref}`);
  }
  return planned;
}

async function packageOne(dir: string, inputs: Inputs): Promise<{ result: PackageResult; packaged: PackagedChart }> {
  // The first read only checks the rules; the packaging read below warns about links.
  await checkedChart(dir, inputs);
  const load = {
    allowExternalSymlinks: inputs.allowExternalSymlinks,
    onWarning: (message: string, file: string) =>
      core.warning(message, { file: annotationPath(file), title: 'kaapana-ext' }),
  };
  const result = await packageChart(dir, {
    destination: inputs.destination,
    ...(inputs.version ? { version: inputs.version } : {}),
    ...(inputs.appVersion ? { appVersion: inputs.appVersion } : {}),
    dependencyUpdate: inputs.dependencyUpdate,
    ...(inputs.searchPaths.length ? { searchPaths: inputs.searchPaths } : {}),
    dependencies: {
      log: (m) => core.info(m),
      ...(inputs.kaapanaSource ? { kaapanaSource: inputs.kaapanaSource } : {}),
      load,
      ...(inputs.username || inputs.password ? { oci: { username: inputs.username, password: inputs.password } } : {}),
    },
  });
  for (const d of result.dependencyUpdate?.dependencies ?? [])
    core.info(`dependency ${d.name} ${d.version} (${d.source})`);
  if (result.dependencyUpdate?.lockWritten) core.info(`wrote ${result.dependencyUpdate.lockFile}`);
  for (const f of lintKaapanaChart(result.chart, { images: await extensionImages(dir) }))
    core.warning(f.message, f.file ? { file: annotationPath(f.file), title: 'kaapana-ext' } : { title: 'kaapana-ext' });
  core.info(`packaged ${result.path} (sha256 ${result.sha256})`);
  const packaged: PackagedChart = {
    name: result.name,
    version: result.version,
    path: result.path,
    sha256: result.sha256,
  };
  if (inputs.push) {
    const pushed = await pushChart(result.path, inputs.push, {
      ...(inputs.username ? { username: inputs.username } : {}),
      ...(inputs.password ? { password: inputs.password } : {}),
      skipExisting: inputs.skipExisting,
    }).catch((e: unknown) => {
      throw new KxError(
        `pushing ${relative(inputs.workspace, result.path) || result.path} failed: ${e instanceof KxError ? e.message : errorMessage(e)}`,
        { file: result.path },
      );
    });
    core.info(`${pushed.status === 'skipped' ? 'already present, skipped' : 'pushed'} ${pushed.ref}@${pushed.digest}`);
    Object.assign(packaged, { digest: pushed.digest, ref: pushed.ref, pushed: pushed.status });
  }
  return { result, packaged };
}

async function writeSummary(
  done: PackagedChart[],
  failed: { dir: string; error: string }[],
  workspace: string,
  dryRun: boolean,
): Promise<void> {
  const rows = done.map((p) =>
    [
      cell(p.name),
      cell(p.version),
      cell(relative(workspace, p.path) || p.path),
      p.dryRun ? 'dry run: not written' : cell(`\`${p.sha256.slice(0, 12)}…\``),
      cell(p.ref ? `${p.ref} (${p.pushed ?? 'dry run: not pushed'})` : '—'),
    ].join(' | '),
  );
  for (const f of failed)
    rows.push([cell(relative(workspace, f.dir) || f.dir), '', '', '', cell(`failed: ${f.error}`)].join(' | '));
  const md = [
    `## Kaapana extension charts${dryRun ? ' (dry run)' : ''}`,
    '',
    '| chart | version | archive | sha256 | OCI |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
    '',
  ].join('\n');
  await writeJobSummary(md);
}

export async function run(): Promise<void> {
  try {
    maskInputSecrets();
    const inputs = getInputs();
    const dirs = await resolveChartDirs(inputs.charts, inputs.workspace);
    const done: PackagedChart[] = [];
    const failed: { dir: string; error: string }[] = [];
    const errors: KxError[] = [];
    for (const dir of dirs) {
      await core.group(`Chart ${relative(inputs.workspace, dir) || dir}`, async () => {
        try {
          done.push(inputs.dryRun ? await planOne(dir, inputs) : (await packageOne(dir, inputs)).packaged);
        } catch (e) {
          failed.push({ dir, error: errorMessage(e) });
          if (e instanceof KxAggregateError) errors.push(...e.errors);
          else if (e instanceof KxError) errors.push(e);
          else throw e;
        }
      });
    }
    core.setOutput('packages', JSON.stringify(done));
    await writeSummary(done, failed, inputs.workspace, inputs.dryRun);
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new KxAggregateError(errors);
  } catch (e) {
    reportFailure(e);
  }
}

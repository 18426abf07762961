// `helm package` for one chart directory: optional dependency update first, load, `--version` /
// `--app-version` overrides (the version checked as semver), helm's CheckDependencies (every declared
// dependency present in charts/), then the archive `<dest>/<name>-<version>.tgz` written atomically.
// The source tree is never modified except by the dependency update (charts/, lock file), and that
// runs only after every input (version, destination, the chart itself) has been checked.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { KxError } from '../errors/index.js';
import { assertWritable, safeJoin, writeFileAtomic } from '../fsutil/index.js';
import { writeChartArchive } from './archive.js';
import {
  updateDependencies,
  type UpdateDependenciesOptions,
  type UpdateDependenciesResult,
} from './dependency-update.js';
import { loadDir } from './load.js';
import type { Chart } from './model.js';
import { isChartSemver, parseChartVersion } from './semver.js';
import { validateMetadata } from './validate.js';

export interface PackageOptions {
  /** Output directory (created when missing). Default: the current directory. */
  destination?: string;
  /** Replaces Chart.yaml `version` in the package (and the file name). */
  version?: string;
  /** Replaces Chart.yaml `appVersion` in the package. */
  appVersion?: string;
  /** Run the dependency update first (helm package -u). Default false. */
  dependencyUpdate?: boolean;
  /** Search paths for name-only dependencies (see UpdateDependenciesOptions). */
  searchPaths?: string[];
  /** Further dependency-update options (oci credentials, http, platformVersion, log, now). */
  dependencies?: Omit<UpdateDependenciesOptions, 'searchPaths'>;
  /** Entry mtime, seconds since the epoch (default SOURCE_DATE_EPOCH or 0). */
  mtime?: number;
}

export interface PackageResult {
  name: string;
  version: string;
  appVersion?: string;
  /** Absolute path of the written archive. */
  path: string;
  /** Hex sha256 of the archive. */
  sha256: string;
  size: number;
  chart: Chart;
  dependencyUpdate?: UpdateDependenciesResult;
}

/** helm's CheckDependencies: declared dependencies must all be present as loaded subcharts. */
export function checkDependencies(chart: Chart): void {
  const present = new Set(chart.dependencies.map((d) => d.metadata.name));
  const missing = (chart.metadata.dependencies ?? [])
    .filter((d) => d !== null && !present.has(d.name))
    .map((d) => d?.name);
  if (missing.length > 0) {
    throw new KxError(`found in Chart.yaml, but missing in charts/ directory: ${missing.join(', ')}`, {
      file: chart.dependencyFile?.file,
    });
  }
}

/**
 * helm's install-time check, recursively: every declared dependency of the chart and of each of its
 * subcharts present; errors name the path, e.g. `wf-0.1.0/charts/dag-installer-chart: found in ...`.
 */
export function checkDependenciesDeep(chart: Chart, path: string = chart.metadata.name ?? ''): void {
  try {
    if (chart.metadata.dependencies) checkDependencies(chart);
  } catch (e) {
    throw new KxError(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const sub of chart.dependencies) checkDependenciesDeep(sub, `${path}/charts/${sub.metadata.name}`);
}

export async function packageChart(dir: string, opts: PackageOptions = {}): Promise<PackageResult> {
  const chartDir = resolve(dir);
  const chartFile = join(chartDir, 'Chart.yaml');
  const load = opts.dependencies?.load ?? {};
  // Every input is checked before the dependency update writes charts/ and the lock.
  if (opts.version !== undefined && opts.version !== '') {
    const parsed = parseChartVersion(opts.version);
    if (!isChartSemver(parsed)) throw new KxError(`version "${opts.version}": ${parsed.error}`, { file: chartFile });
  }
  const dest = resolve(opts.destination ?? '.');
  const st = await stat(dest).catch(() => undefined);
  if (st && !st.isDirectory()) throw new KxError(`destination ${dest} is not a directory`, { file: dest });
  const before = await loadDir(chartDir, load);
  const archiveName = (md: Chart['metadata']) => `${md.name as string}-${opts.version || (md.version as string)}.tgz`;
  validateMetadata({ ...before.metadata, ...(opts.version ? { version: opts.version } : {}) }, { file: chartFile });
  await assertWritable(join(dest, archiveName(before.metadata)));

  let dependencyUpdate: UpdateDependenciesResult | undefined;
  if (opts.dependencyUpdate) {
    dependencyUpdate = await updateDependencies(chartDir, {
      ...opts.dependencies,
      ...(opts.searchPaths ? { searchPaths: opts.searchPaths } : {}),
      ...(opts.version && !opts.dependencies?.platformVersion ? { platformVersion: opts.version } : {}),
      ...(opts.mtime !== undefined ? { mtime: opts.mtime } : {}),
    });
  }
  const chart = opts.dependencyUpdate ? await loadDir(chartDir, load) : before;
  if (opts.version !== undefined && opts.version !== '') chart.metadata.version = opts.version;
  if (opts.appVersion !== undefined && opts.appVersion !== '') chart.metadata.appVersion = opts.appVersion;
  if (chart.metadata.dependencies) checkDependencies(chart);
  validateMetadata(chart.metadata, { file: chartFile });

  const data = await writeChartArchive(chart, opts.mtime === undefined ? {} : { mtime: opts.mtime });
  const name = chart.metadata.name as string;
  const version = chart.metadata.version as string;
  const path = safeJoin(dest, `${name}-${version}.tgz`, 'chart archive name', { file: chartFile });
  await writeFileAtomic(path, data, { mode: 0o644 });
  const result: PackageResult = {
    name,
    version,
    path,
    sha256: createHash('sha256').update(data).digest('hex'),
    size: data.length,
    chart,
  };
  if (chart.metadata.appVersion) result.appVersion = chart.metadata.appVersion;
  if (dependencyUpdate) result.dependencyUpdate = dependencyUpdate;
  return result;
}

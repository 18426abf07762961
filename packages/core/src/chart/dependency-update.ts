// `helm dependency update` for one chart directory: resolve every dependency (file:// directories
// packaged with our archive writer, http(s):// repositories through index.yaml, oci:// registries,
// Kaapana ≥0.2 name-only dependencies found in search paths, `repository: ""` expected in charts/),
// check the version constraints, then — only when everything resolved — write the archives into
// charts/, remove stale chart archives, and write Chart.lock/requirements.lock with helm's digest
// (left untouched when the digest did not change). Errors point at the dependency's line.
// With `ownDependencies` (what Kaapana's build does for the charts of a collection) a chart packaged
// from a directory carries its own dependencies in its charts/, recursively: its dependency update
// runs on a throwaway copy (withOwnDependencies), never in the source tree. The update runs in named
// phases: check the names, resolve each dependency by its kind of repository, validate, write.
import { cp, lstat, mkdir, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { KxAggregateError, KxError, errorMessage } from '../errors/index.js';
import {
  assertWritable,
  checkPathSegment,
  pathExists,
  safeJoin,
  withTempDir,
  writeFileAtomic,
} from '../fsutil/index.js';
import { defaultMtime, writeChartArchive } from './archive.js';
import { parseLock, serializeLock } from './chartfile.js';
import { findChartsByName } from './discover.js';
import { loadArchive, loadDir, type LoadDirOptions } from './load.js';
import { lockDigest, lockFileName, rfc3339Nano } from './lock.js';
import type { Chart, Dependency, Lock } from './model.js';
import { pullChart, type OciAuth } from './oci.js';
import {
  downloadChart,
  fetchRepoIndex,
  findInIndex,
  resolveChartUrl,
  type HttpOptions,
  type RepoIndex,
} from './repo-index.js';
import { parseConstraint, satisfiesConstraint, type ChartConstraint } from './semver.js';

export interface UpdateDependenciesOptions {
  /**
   * Directories searched (recursively) for charts by name, for dependencies without `repository:`
   * (Kaapana ≥0.2). A dependency version `0.0.0` then means "the version of the chart being updated"
   * (`platformVersion` when given).
   */
  searchPaths?: string[];
  /**
   * A Kaapana checkout (kaapana-source): dependencies without a usable repository — none, or a
   * `file://` path that does not exist here (e.g. into the Kaapana tree, as Kaapana's own examples
   * write `file://../../../../../../services/utils/dag-installer-chart/`) — are found in it by name,
   * as Kaapana ≥0.2 resolves dependencies among the charts of its tree. Charts below paths with
   * Kaapana's ignore patterns (templates_and_examples, ci, lib/task_api) are not candidates.
   */
  kaapanaSource?: string;
  /** The version that `0.0.0` stands for; default: the chart's own version. */
  platformVersion?: string;
  /** Credentials etc. for oci:// dependencies. */
  oci?: OciAuth;
  /** Options for http(s):// repositories. */
  http?: HttpOptions;
  /**
   * Timestamp written as `generated` in a new lock. Default: SOURCE_DATE_EPOCH, else the epoch — not
   * "now" as in helm, so that a fresh checkout always produces the same lock and package bytes.
   */
  now?: Date;
  /** Entry mtime of archives packaged from directories (see ArchiveOptions.mtime). */
  mtime?: number;
  /** Progress messages. */
  log?: (msg: string) => void;
  /** How chart directories are walked (external symlinks, warnings); see loadDir. */
  load?: LoadDirOptions;
  /**
   * Package each chart taken from a directory (file://, search paths, kaapana-source) with its own
   * dependencies in its charts/, recursively, as Kaapana's build does; default false (helm's
   * `dep up` packs the directory as it is).
   */
  ownDependencies?: boolean;
  /** Directory relative `file://` repositories resolve against; default: the chart directory (set it when updating a staged copy). */
  relativeTo?: string;
  /** Chart directories being packaged around this update (cycle detection of ownDependencies). */
  within?: string[];
}

export interface ResolvedDependency {
  name: string;
  version: string;
  repository: string;
  /** File written into charts/ (undefined for `repository: ""` charts already in charts/). */
  archive?: string;
  source: 'file' | 'http' | 'oci' | 'search-path' | 'kaapana-source' | 'charts-dir';
}

export interface UpdateDependenciesResult {
  chart: string;
  dependencies: ResolvedDependency[];
  lockFile?: string;
  lock?: Lock;
  /** False when an existing lock with the same digest was kept. */
  lockWritten: boolean;
  removed: string[];
}

interface Pending {
  dep: Dependency;
  fileName: string;
  data: Buffer;
  resolved: ResolvedDependency;
}

function depWhere(chart: Chart, i: number, field?: string): { file?: string; line?: number } {
  const src = chart.dependencyFile;
  if (!src) return {};
  const line =
    (field ? src.lines.get(`dependencies[${i}].${field}`) : undefined) ?? src.lines.get(`dependencies[${i}]`);
  return { file: src.file, line };
}

/**
 * What to do about a dependency given only by name (no `repository:`) that is not in charts/:
 * Kaapana >= 0.2 resolves such names among the charts of its own tree, which is not here.
 */
export function nameOnlyHint(name: string): string {
  return (
    `"${name}" has no repository: Kaapana >= 0.2 finds such dependencies by name in its own tree. ` +
    `Point chart-search-paths at directories holding the ${name} chart (or kaapana-source at a Kaapana checkout), ` +
    `or give it a repository (file://, https://, oci://)`
  );
}

/** Everything one dependency update works with; each phase below reads and fills it. */
interface UpdateContext {
  chart: Chart;
  chartDir: string;
  chartsDir: string;
  opts: UpdateDependenciesOptions;
  log: (msg: string) => void;
  load: LoadDirOptions;
  platformVersion: string;
  /** Resolved kaapana-source, if any. */
  source?: string;
  byName?: Map<string, { dir: string; version: string }[]>;
  inSource?: Map<string, { dir: string; version: string }[]>;
  indexes: Map<string, RepoIndex>;
  pending: Pending[];
  locked: Dependency[];
  unsatisfied: string[];
  errors: KxError[];
  result: UpdateDependenciesResult;
}

function throwCollected(errors: KxError[]): void {
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new KxAggregateError(errors);
}

/** Phase 1: names become file names (charts/<name>, <name>-<version>.tgz): check them all before anything. */
function checkDependencyNames(chart: Chart, deps: (Dependency | null)[]): void {
  const errors: KxError[] = [];
  for (const [i, d] of deps.entries()) {
    if (d === null) continue;
    try {
      checkPathSegment(d.name, 'dependency name', depWhere(chart, i, 'name'));
    } catch (e) {
      errors.push(e as KxError);
    }
  }
  throwCollected(errors);
}

const archivePath = (ctx: UpdateContext, fileName: string, i: number) =>
  safeJoin(ctx.chartsDir, fileName, 'dependency archive name', depWhere(ctx.chart, i, 'name'));

/**
 * The archive of a chart loaded from `dir`: as it is, or (ownDependencies) with its own
 * dependencies packaged into its charts/.
 */
async function packDir(ctx: UpdateContext, chart: Chart, dir: string): Promise<Buffer> {
  const packed = ctx.opts.ownDependencies
    ? await withOwnDependencies(chart, dir, ctx.opts, ctx.platformVersion)
    : chart;
  return writeChartArchive(packed, ctx.opts.mtime === undefined ? {} : { mtime: ctx.opts.mtime });
}

function addPending(
  ctx: UpdateContext,
  d: Dependency,
  i: number,
  fileName: string,
  data: Buffer,
  version: string,
  source: ResolvedDependency['source'],
): void {
  const repository = d.repository ?? '';
  ctx.pending.push({
    dep: d,
    fileName,
    data,
    resolved: { name: d.name, version, repository, archive: archivePath(ctx, fileName, i), source },
  });
  ctx.locked.push({ name: d.name, repository, version });
}

async function sourceCandidates(ctx: UpdateContext, name: string): Promise<{ dir: string; version: string }[]> {
  const source = ctx.source;
  if (!source) return [];
  ctx.inSource ??= await findChartsByName([source]);
  return (ctx.inSource.get(name) ?? []).filter(
    (c) =>
      !['templates_and_examples', 'ci', 'lib/task_api'].some((p) =>
        relative(source, c.dir).split(sep).join('/').includes(p),
      ),
  );
}

/** Name-only (search paths) or kaapana-source dependencies: the first matching chart directory, packaged. */
async function resolveByName(
  ctx: UpdateContext,
  d: Dependency,
  i: number,
  constraint: ChartConstraint,
  fileTarget: string | undefined,
): Promise<void> {
  const repo = d.repository ?? '';
  const wanted = d.version ?? '';
  ctx.byName ??= await findChartsByName(ctx.opts.searchPaths ?? []);
  const candidates = [...(repo === '' ? (ctx.byName.get(d.name) ?? []) : []), ...(await sourceCandidates(ctx, d.name))];
  if (candidates.length === 0) {
    const searched = [
      ...(repo === '' && ctx.opts.searchPaths?.length
        ? [`chart-search-paths (${ctx.opts.searchPaths.join(', ')})`]
        : []),
      ...(ctx.source ? [`kaapana-source ${ctx.opts.kaapanaSource}`] : []),
    ].join(', ');
    ctx.errors.push(
      new KxError(
        `dependency "${d.name}" not found in ${searched}${fileTarget ? ` (${repo} does not exist here)` : ''}`,
        depWhere(ctx.chart, i, repo === '' ? 'name' : 'repository'),
      ),
    );
    return;
  }
  const platform = wanted === '0.0.0';
  const pick = platform ? candidates[0] : candidates.find((c) => satisfiesConstraint(c.version, constraint));
  if (!pick) {
    ctx.unsatisfied.push(`"${d.name}" (repository "${d.repository}", version "${wanted}")`);
    return;
  }
  const target = await loadDir(pick.dir, ctx.load);
  if (platform && target.metadata.version === '0.0.0') target.metadata.version = ctx.platformVersion;
  const version = target.metadata.version as string;
  const fileName = `${target.metadata.name}-${version}.tgz`;
  const fromKaapana = ctx.source !== undefined && pick.dir.startsWith(ctx.source + sep);
  ctx.log(
    `${d.name}: packaging ${fromKaapana ? `kaapana-source/${relative(ctx.source!, pick.dir)}` : pick.dir} as ${fileName}${fileTarget ? ` (${repo} does not exist here)` : ''}`,
  );
  addPending(
    ctx,
    d,
    i,
    fileName,
    await packDir(ctx, target, pick.dir),
    version,
    fromKaapana ? 'kaapana-source' : 'search-path',
  );
}

/** `repository: ""` without search paths: the chart must already be in charts/<name>. */
async function resolveInChartsDir(
  ctx: UpdateContext,
  d: Dependency,
  i: number,
  constraint: ChartConstraint,
): Promise<void> {
  const wanted = d.version ?? '';
  const local = safeJoin(ctx.chartsDir, d.name, 'dependency name', depWhere(ctx.chart, i, 'name'));
  let sub: Chart;
  try {
    sub = await loadDir(local, ctx.load);
  } catch (e) {
    ctx.errors.push(
      new KxError(
        `unable to load chart '${local}': ${errorMessage(e)}. ${nameOnlyHint(d.name)}`,
        depWhere(ctx.chart, i, 'name'),
      ),
    );
    return;
  }
  if (!satisfiesConstraint(sub.metadata.version ?? '', constraint)) {
    ctx.errors.push(
      new KxError(
        `dependency ${d.name} at version ${sub.metadata.version} does not satisfy the constraint ${wanted}`,
        depWhere(ctx.chart, i, 'version'),
      ),
    );
    return;
  }
  ctx.result.dependencies.push({ name: d.name, version: wanted, repository: '', source: 'charts-dir' });
  ctx.locked.push({ name: d.name, repository: '', version: wanted });
}

/** `file://<dir>`: the directory packaged. */
async function resolveFileDir(
  ctx: UpdateContext,
  d: Dependency,
  i: number,
  constraint: ChartConstraint,
  target: string,
): Promise<void> {
  if (!(await pathExists(target))) {
    ctx.errors.push(new KxError(`directory ${resolve(target)} not found`, depWhere(ctx.chart, i, 'repository')));
    return;
  }
  const sub = await loadDir(target, ctx.load);
  const version = sub.metadata.version as string;
  if (!satisfiesConstraint(version, constraint)) {
    ctx.unsatisfied.push(`"${d.name}" (repository "${d.repository}", version "${d.version ?? ''}")`);
    return;
  }
  const fileName = `${sub.metadata.name}-${version}.tgz`;
  ctx.log(`${d.name}: packaging ${d.repository} as ${fileName}`);
  addPending(ctx, d, i, fileName, await packDir(ctx, sub, target), version, 'file');
}

/** `http(s)://`: index.yaml of the repository, then the archive it points at. */
async function resolveHttp(ctx: UpdateContext, d: Dependency, i: number): Promise<void> {
  const repo = d.repository;
  let index = ctx.indexes.get(repo);
  if (!index) {
    index = await fetchRepoIndex(repo, ctx.opts.http);
    ctx.indexes.set(repo, index);
  }
  const entry = findInIndex(index, d.name, d.version ?? '');
  if (!entry) {
    ctx.unsatisfied.push(`"${d.name}" (repository "${repo}", version "${d.version ?? ''}")`);
    return;
  }
  const url = resolveChartUrl(index.url, entry.urls[0] as string);
  ctx.log(`${d.name}: downloading ${url}`);
  addPending(
    ctx,
    d,
    i,
    `${d.name}-${entry.version}.tgz`,
    await downloadChart(url, ctx.opts.http),
    entry.version,
    'http',
  );
}

async function resolveOci(ctx: UpdateContext, d: Dependency, i: number): Promise<void> {
  const pulled = await pullChart(d.repository, d.name, d.version ?? '', ctx.opts.oci);
  ctx.log(`${d.name}: pulled ${pulled.ref}`);
  addPending(ctx, d, i, `${d.name}-${pulled.version}.tgz`, pulled.data, pulled.version, 'oci');
}

/** Phase 2, one dependency: dispatch on its repository; problems are collected in ctx.errors. */
async function resolveDependency(ctx: UpdateContext, d: Dependency, i: number): Promise<void> {
  const wanted = d.version ?? '';
  let constraint: ChartConstraint;
  try {
    constraint = parseConstraint(wanted === '' ? '*' : wanted);
  } catch (e) {
    ctx.errors.push(
      new KxError(
        `dependency "${d.name}" has an invalid version/constraint format: ${errorMessage(e)}`,
        depWhere(ctx.chart, i, 'version'),
      ),
    );
    return;
  }
  const repo = d.repository ?? '';
  const base = ctx.opts.relativeTo ? resolve(ctx.opts.relativeTo) : ctx.chartDir;
  const fileTarget = repo.startsWith('file://')
    ? isAbsolute(repo.slice(7))
      ? repo.slice(7)
      : join(base, repo.slice(7))
    : undefined;
  const fromSource =
    ctx.source !== undefined && (repo === '' || (fileTarget !== undefined && !(await pathExists(fileTarget))));
  if ((repo === '' && ctx.opts.searchPaths && ctx.opts.searchPaths.length > 0) || fromSource)
    return resolveByName(ctx, d, i, constraint, fileTarget);
  if (repo === '') return resolveInChartsDir(ctx, d, i, constraint);
  if (fileTarget !== undefined) return resolveFileDir(ctx, d, i, constraint, fileTarget);
  if (/^https?:\/\//.test(repo)) return resolveHttp(ctx, d, i);
  if (repo.startsWith('oci://')) return resolveOci(ctx, d, i);
  ctx.errors.push(
    new KxError(
      `no repository definition for ${repo}. Repositories must be URLs (file://, https://, oci://); named repositories ("@name", "alias:name") need helm's repositories.yaml, which is not supported`,
      depWhere(ctx.chart, i, 'repository'),
    ),
  );
}

/** Phase 3: every problem so far in one error; then each resolved archive must load. */
async function validateResolved(ctx: UpdateContext, deps: (Dependency | null)[]): Promise<void> {
  if (ctx.unsatisfied.length > 0) {
    const src = ctx.chart.dependencyFile?.file ?? join(ctx.chartDir, 'Chart.yaml');
    ctx.errors.push(
      new KxError(
        `can't get a valid version for ${ctx.unsatisfied.length} subchart(s): ${ctx.unsatisfied.join(', ')}. Make sure a matching chart version exists in the repo, or change the version constraint in ${src.endsWith('requirements.yaml') ? 'requirements.yaml' : 'Chart.yaml'}`,
        { file: src },
      ),
    );
  }
  throwCollected(ctx.errors);
  for (const p of ctx.pending) {
    try {
      await loadArchive(p.data, p.fileName);
    } catch (e) {
      throw new KxError(
        `dependency "${p.dep.name}" resolved to an invalid chart archive ${p.fileName}: ${errorMessage(e)}`,
        depWhere(ctx.chart, deps.indexOf(p.dep), 'name'),
      );
    }
  }
}

/** Phase 4a: the lock file must be writable (and no symlink) before charts/ is touched. */
async function checkLockWritable(lockFile: string, md: Chart['metadata']): Promise<boolean> {
  const st = await lstat(lockFile).catch(() => undefined);
  if (st?.isSymbolicLink())
    throw new KxError(`the ${lockFileName(md)} file is a symlink to "${await readlink(lockFile)}"`, { file: lockFile });
  await assertWritable(lockFile);
  return st !== undefined;
}

/** Phase 4b: write the archives into charts/ and remove chart archives no dependency produced. */
async function writeCharts(ctx: UpdateContext, deps: (Dependency | null)[]): Promise<void> {
  await mkdir(ctx.chartsDir, { recursive: true, mode: 0o755 });
  const produced = new Set(ctx.pending.map((p) => p.fileName));
  const keepNames = new Set(
    deps
      .filter(
        (d): d is Dependency =>
          d !== null && (d.repository ?? '') === '' && !ctx.opts.searchPaths?.length && !ctx.source,
      )
      .map((d) => d.name),
  );
  for (const p of ctx.pending) {
    await writeFileAtomic(p.resolved.archive as string, p.data, { mode: 0o644 });
    ctx.result.dependencies.push(p.resolved);
  }
  for (const entry of await readdir(ctx.chartsDir, { withFileTypes: true })) {
    if (!entry.isFile() || produced.has(entry.name)) continue;
    const path = join(ctx.chartsDir, entry.name);
    try {
      const old = await loadArchive(path);
      if (keepNames.has(old.metadata.name ?? '')) continue;
    } catch {
      continue;
    }
    await rm(path, { force: true });
    ctx.result.removed.push(path);
  }
}

/** Phase 4c: the lock, left as it is when its digest did not change. */
async function writeLock(
  ctx: UpdateContext,
  deps: (Dependency | null)[],
  lockFile: string,
  existed: boolean,
): Promise<void> {
  const md = ctx.chart.metadata;
  const digest = lockDigest(deps, ctx.locked);
  ctx.result.lockFile = lockFile;
  if (existed) {
    try {
      const existing = parseLock(await readFile(lockFile, 'utf8'), lockFile, lockFileName(md)).value;
      if (existing.digest === digest) {
        ctx.result.lock = existing;
        return;
      }
    } catch {
      // unreadable lock: rewritten below
    }
  }
  const lock: Lock = {
    generated: rfc3339Nano(ctx.opts.now ?? new Date(defaultMtime() * 1000)),
    digest,
    dependencies: ctx.locked,
  };
  await writeFileAtomic(lockFile, serializeLock(lock), { mode: 0o644 });
  ctx.result.lock = lock;
  ctx.result.lockWritten = true;
}

/** Run helm's dependency update on the chart directory `dir`. */
export async function updateDependencies(
  dir: string,
  opts: UpdateDependenciesOptions = {},
): Promise<UpdateDependenciesResult> {
  const chartDir = resolve(dir);
  const load = opts.load ?? {};
  const chart = await loadDir(chartDir, load);
  const deps = chart.metadata.dependencies;
  const result: UpdateDependenciesResult = { chart: chartDir, dependencies: [], lockWritten: false, removed: [] };
  if (!deps) return result;
  const chartsDir = join(chartDir, 'charts');
  if ((await pathExists(chartsDir)) && !(await stat(chartsDir)).isDirectory()) {
    throw new KxError(`"${chartsDir}" is not a directory`, { file: chartsDir });
  }
  const ctx: UpdateContext = {
    chart,
    chartDir,
    chartsDir,
    opts,
    load,
    result,
    log: opts.log ?? (() => {}),
    platformVersion: opts.platformVersion ?? chart.metadata.version ?? '',
    ...(opts.kaapanaSource ? { source: resolve(opts.kaapanaSource) } : {}),
    indexes: new Map(),
    pending: [],
    locked: [],
    unsatisfied: [],
    errors: [],
  };
  checkDependencyNames(chart, deps);
  for (const [i, d] of deps.entries()) {
    if (d === null) continue;
    try {
      await resolveDependency(ctx, d, i);
    } catch (e) {
      if (e instanceof KxError && e.file) ctx.errors.push(e);
      else ctx.errors.push(new KxError(`dependency "${d.name}": ${errorMessage(e)}`, depWhere(chart, i)));
    }
  }
  await validateResolved(ctx, deps);
  const lockFile = join(chartDir, lockFileName(chart.metadata));
  const existed = await checkLockWritable(lockFile, chart.metadata);
  await writeCharts(ctx, deps);
  await writeLock(ctx, deps, lockFile, existed);
  return result;
}

const MAX_NESTING = 16;

/**
 * `chart` (loaded from `dir`) with its own dependencies as subcharts, recursively, as Kaapana's build
 * packages the charts of a collection. A chart that already has every declared dependency as a
 * subchart is returned as it is; otherwise its dependency update runs on a throwaway copy of `dir`
 * (relative file:// paths resolved against `dir`, same search paths and kaapana-source), so the
 * source tree is never written. A dependency cycle is an error naming the chain.
 */
export async function withOwnDependencies(
  chart: Chart,
  dir: string,
  opts: UpdateDependenciesOptions,
  platformVersion: string,
): Promise<Chart> {
  const declared = (chart.metadata.dependencies ?? []).filter((d): d is Dependency => d !== null);
  const present = new Set(chart.dependencies.map((c) => c.metadata.name));
  if (declared.every((d) => present.has(d.name))) return chart;
  const within = [...(opts.within ?? []), resolve(dir)];
  if ((opts.within ?? []).includes(resolve(dir)) || within.length > MAX_NESTING) {
    throw new KxError(`chart dependency cycle: ${within.join(' -> ')}`, { file: join(dir, 'Chart.yaml') });
  }
  return withTempDir('kx-own-deps', async (stage) => {
    const copy = join(stage, basename(resolve(dir)));
    await cp(dir, copy, { recursive: true, dereference: false });
    await updateDependencies(copy, {
      ...opts,
      relativeTo: resolve(dir),
      within,
      platformVersion,
      now: opts.now ?? new Date(defaultMtime() * 1000),
    });
    const packed = await loadDir(copy, opts.load ?? {});
    packed.source = chart.source ?? dir;
    return packed;
  });
}

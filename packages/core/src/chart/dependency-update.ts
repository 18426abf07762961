// `helm dependency update` for one chart directory: resolve every dependency (file:// directories
// packaged with our archive writer, http(s):// repositories through index.yaml, oci:// registries,
// Kaapana ≥0.2 name-only dependencies found in search paths, `repository: ""` expected in charts/),
// check the version constraints, then — only when everything resolved — write the archives into
// charts/, remove stale chart archives, and write Chart.lock/requirements.lock with helm's digest
// (left untouched when the digest did not change). Errors point at the dependency's line.
import { lstat, mkdir, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { KxAggregateError, KxError, errorMessage } from '../errors/index.js';
import { assertWritable, checkPathSegment, pathExists, safeJoin, writeFileAtomic } from '../fsutil/index.js';
import { defaultMtime, writeChartArchive } from './archive.js';
import { parseLock, parseMetadata, serializeLock } from './chartfile.js';
import { loadArchive, loadDir, type LoadDirOptions } from './load.js';
import { lockDigest, lockFileName, rfc3339Nano } from './lock.js';
import type { Chart, Dependency, Lock } from './model.js';
import { pullChart, type OciAuth } from './oci.js';
import { downloadChart, fetchRepoIndex, findInIndex, resolveChartUrl, type HttpOptions, type RepoIndex } from './repo-index.js';
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
  const line = (field ? src.lines.get(`dependencies[${i}].${field}`) : undefined) ?? src.lines.get(`dependencies[${i}]`);
  return { file: src.file, line };
}

/** Chart directories below `roots` (sorted walk), by chart name. Chart.yaml is read, not validated. */
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

export async function findChartsByName(roots: string[]): Promise<Map<string, { dir: string; version: string }[]>> {
  const found = new Map<string, { dir: string; version: string }[]>();
  const skip = new Set(['node_modules', '.git', 'templates', 'charts']);
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.name === 'Chart.yaml' && e.isFile())) {
      const file = join(dir, 'Chart.yaml');
      try {
        const md = parseMetadata(await readFile(file, 'utf8'), file).value;
        if (md.name) {
          const list = found.get(md.name) ?? [];
          list.push({ dir, version: md.version ?? '' });
          found.set(md.name, list);
        }
      } catch {
        // an unreadable Chart.yaml elsewhere in the tree is not this dependency's problem
      }
    }
    const dirs = entries.filter((e) => e.isDirectory() && !skip.has(e.name) && !e.name.startsWith('.')).map((e) => e.name);
    dirs.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const d of dirs) await walk(join(dir, d));
  };
  for (const r of roots) await walk(resolve(r));
  return found;
}

/** Run helm's dependency update on the chart directory `dir`. */
export async function updateDependencies(dir: string, opts: UpdateDependenciesOptions = {}): Promise<UpdateDependenciesResult> {
  const chartDir = resolve(dir);
  const log = opts.log ?? (() => {});
  const load = opts.load ?? {};
  const chart = await loadDir(chartDir, load);
  const md = chart.metadata;
  const deps = md.dependencies;
  const result: UpdateDependenciesResult = { chart: chartDir, dependencies: [], lockWritten: false, removed: [] };
  if (!deps) return result;

  const chartsDir = join(chartDir, 'charts');
  if ((await pathExists(chartsDir)) && !(await stat(chartsDir)).isDirectory()) {
    throw new KxError(`"${chartsDir}" is not a directory`, { file: chartsDir });
  }
  const platformVersion = opts.platformVersion ?? md.version ?? '';
  let byName: Map<string, { dir: string; version: string }[]> | undefined;
  let inSource: Map<string, { dir: string; version: string }[]> | undefined;
  const source = opts.kaapanaSource ? resolve(opts.kaapanaSource) : undefined;
  const sourceCandidates = async (name: string) => {
    if (!source) return [];
    inSource ??= await findChartsByName([source]);
    return (inSource.get(name) ?? []).filter((c) => !['templates_and_examples', 'ci', 'lib/task_api'].some((p) => relative(source, c.dir).split(sep).join('/').includes(p)));
  };
  const indexes = new Map<string, RepoIndex>();
  const pending: Pending[] = [];
  const locked: Dependency[] = [];
  const unsatisfied: string[] = [];
  const errors: KxError[] = [];

  // Names become file names (charts/<name>, <name>-<version>.tgz): check them all before anything.
  for (const [i, d] of deps.entries()) {
    if (d === null) continue;
    try {
      checkPathSegment(d.name, 'dependency name', depWhere(chart, i, 'name'));
    } catch (e) {
      errors.push(e as KxError);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new KxAggregateError(errors);
  const archivePath = (fileName: string, i: number) => safeJoin(chartsDir, fileName, 'dependency archive name', depWhere(chart, i, 'name'));

  for (const [i, d] of deps.entries()) {
    if (d === null) continue;
    const where = depWhere(chart, i, 'version');
    let constraint: ChartConstraint;
    const wanted = d.version ?? '';
    try {
      constraint = parseConstraint(wanted === '' ? '*' : wanted);
    } catch (e) {
      errors.push(new KxError(`dependency "${d.name}" has an invalid version/constraint format: ${errorMessage(e)}`, where));
      continue;
    }
    const noMatch = () => unsatisfied.push(`"${d.name}" (repository "${d.repository}", version "${wanted}")`);
    const repo = d.repository ?? '';
    try {
      const fileTarget = repo.startsWith('file://') ? (isAbsolute(repo.slice(7)) ? repo.slice(7) : join(chartDir, repo.slice(7))) : undefined;
      const fromSource = source !== undefined && (repo === '' || (fileTarget !== undefined && !(await pathExists(fileTarget))));
      if ((repo === '' && opts.searchPaths && opts.searchPaths.length > 0) || fromSource) {
        byName ??= await findChartsByName(opts.searchPaths ?? []);
        const candidates = [...(repo === '' ? byName.get(d.name) ?? [] : []), ...(await sourceCandidates(d.name))];
        if (candidates.length === 0) {
          const where = [...(repo === '' && opts.searchPaths?.length ? [`chart-search-paths (${opts.searchPaths.join(', ')})`] : []), ...(source ? [`kaapana-source ${opts.kaapanaSource}`] : [])].join(', ');
          errors.push(new KxError(`dependency "${d.name}" not found in ${where}${fileTarget ? ` (${repo} does not exist here)` : ''}`, depWhere(chart, i, repo === '' ? 'name' : 'repository')));
          continue;
        }
        const platform = wanted === '0.0.0';
        const pick = platform
          ? candidates[0]
          : candidates.find((c) => satisfiesConstraint(c.version, constraint));
        if (!pick) {
          noMatch();
          continue;
        }
        const target = await loadDir(pick.dir, load);
        if (platform && target.metadata.version === '0.0.0') target.metadata.version = platformVersion;
        const version = target.metadata.version as string;
        const fileName = `${target.metadata.name}-${version}.tgz`;
        const fromKaapana = source !== undefined && pick.dir.startsWith(source + sep);
        log(`${d.name}: packaging ${fromKaapana ? `kaapana-source/${relative(source, pick.dir)}` : pick.dir} as ${fileName}${fileTarget ? ` (${repo} does not exist here)` : ''}`);
        const data = await writeChartArchive(target, opts.mtime === undefined ? {} : { mtime: opts.mtime });
        pending.push({ dep: d, fileName, data, resolved: { name: d.name, version, repository: repo, archive: archivePath(fileName, i), source: fromKaapana ? 'kaapana-source' : 'search-path' } });
        locked.push({ name: d.name, repository: repo, version });
      } else if (repo === '') {
        const local = safeJoin(chartsDir, d.name, 'dependency name', depWhere(chart, i, 'name'));
        let sub: Chart;
        try {
          sub = await loadDir(local, load);
        } catch (e) {
          errors.push(new KxError(`unable to load chart '${local}': ${errorMessage(e)}. ${nameOnlyHint(d.name)}`, depWhere(chart, i, 'name')));
          continue;
        }
        if (!satisfiesConstraint(sub.metadata.version ?? '', constraint)) {
          errors.push(new KxError(`dependency ${d.name} at version ${sub.metadata.version} does not satisfy the constraint ${wanted}`, where));
          continue;
        }
        result.dependencies.push({ name: d.name, version: wanted, repository: '', source: 'charts-dir' });
        locked.push({ name: d.name, repository: '', version: wanted });
      } else if (repo.startsWith('file://')) {
        const rest = repo.slice('file://'.length);
        const target = isAbsolute(rest) ? rest : join(chartDir, rest);
        if (!(await pathExists(target))) {
          errors.push(new KxError(`directory ${resolve(target)} not found`, depWhere(chart, i, 'repository')));
          continue;
        }
        const sub = await loadDir(target, load);
        const version = sub.metadata.version as string;
        if (!satisfiesConstraint(version, constraint)) {
          noMatch();
          continue;
        }
        const fileName = `${sub.metadata.name}-${version}.tgz`;
        log(`${d.name}: packaging ${repo} as ${fileName}`);
        const data = await writeChartArchive(sub, opts.mtime === undefined ? {} : { mtime: opts.mtime });
        pending.push({ dep: d, fileName, data, resolved: { name: d.name, version, repository: repo, archive: archivePath(fileName, i), source: 'file' } });
        locked.push({ name: d.name, repository: repo, version });
      } else if (/^https?:\/\//.test(repo)) {
        let index = indexes.get(repo);
        if (!index) {
          index = await fetchRepoIndex(repo, opts.http);
          indexes.set(repo, index);
        }
        const entry = findInIndex(index, d.name, wanted);
        if (!entry) {
          noMatch();
          continue;
        }
        const url = resolveChartUrl(index.url, entry.urls[0] as string);
        log(`${d.name}: downloading ${url}`);
        const data = await downloadChart(url, opts.http);
        const fileName = `${d.name}-${entry.version}.tgz`;
        pending.push({ dep: d, fileName, data, resolved: { name: d.name, version: entry.version, repository: repo, archive: archivePath(fileName, i), source: 'http' } });
        locked.push({ name: d.name, repository: repo, version: entry.version });
      } else if (repo.startsWith('oci://')) {
        const pulled = await pullChart(repo, d.name, wanted, opts.oci);
        log(`${d.name}: pulled ${pulled.ref}`);
        const fileName = `${d.name}-${pulled.version}.tgz`;
        pending.push({ dep: d, fileName, data: pulled.data, resolved: { name: d.name, version: pulled.version, repository: repo, archive: archivePath(fileName, i), source: 'oci' } });
        locked.push({ name: d.name, repository: repo, version: pulled.version });
      } else {
        errors.push(
          new KxError(
            `no repository definition for ${repo}. Repositories must be URLs (file://, https://, oci://); named repositories ("@name", "alias:name") need helm's repositories.yaml, which is not supported`,
            depWhere(chart, i, 'repository'),
          ),
        );
      }
    } catch (e) {
      if (e instanceof KxError && e.file) errors.push(e);
      else errors.push(new KxError(`dependency "${d.name}": ${errorMessage(e)}`, depWhere(chart, i)));
    }
  }
  if (unsatisfied.length > 0) {
    const src = chart.dependencyFile?.file ?? join(chartDir, 'Chart.yaml');
    errors.push(
      new KxError(
        `can't get a valid version for ${unsatisfied.length} subchart(s): ${unsatisfied.join(', ')}. Make sure a matching chart version exists in the repo, or change the version constraint in ${src.endsWith('requirements.yaml') ? 'requirements.yaml' : 'Chart.yaml'}`,
        { file: src },
      ),
    );
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new KxAggregateError(errors);

  // Everything resolved: validate the archives, then write them.
  for (const p of pending) {
    try {
      await loadArchive(p.data, p.fileName);
    } catch (e) {
      throw new KxError(`dependency "${p.dep.name}" resolved to an invalid chart archive ${p.fileName}: ${errorMessage(e)}`, depWhere(chart, deps.indexOf(p.dep), 'name'));
    }
  }
  // ... and that the lock can be written, so that a refused lock does not leave charts/ changed.
  const lockFile = join(chartDir, lockFileName(md));
  let lstatResult;
  try {
    lstatResult = await lstat(lockFile);
  } catch {
    lstatResult = undefined;
  }
  if (lstatResult?.isSymbolicLink()) {
    throw new KxError(`the ${lockFileName(md)} file is a symlink to "${await readlink(lockFile)}"`, { file: lockFile });
  }
  await assertWritable(lockFile);
  await mkdir(chartsDir, { recursive: true, mode: 0o755 });
  const produced = new Set(pending.map((p) => p.fileName));
  const keepNames = new Set(deps.filter((d): d is Dependency => d !== null && (d.repository ?? '') === '' && !opts.searchPaths?.length && !source).map((d) => d.name));
  for (const p of pending) {
    await writeFileAtomic(p.resolved.archive as string, p.data, { mode: 0o644 });
    result.dependencies.push(p.resolved);
  }
  for (const entry of await readdir(chartsDir, { withFileTypes: true })) {
    if (!entry.isFile() || produced.has(entry.name)) continue;
    const path = join(chartsDir, entry.name);
    try {
      const old = await loadArchive(path);
      if (keepNames.has(old.metadata.name ?? '')) continue;
    } catch {
      continue;
    }
    await rm(path, { force: true });
    result.removed.push(path);
  }

  // The lock.
  const digest = lockDigest(deps, locked);
  result.lockFile = lockFile;
  if (lstatResult) {
    try {
      const existing = parseLock(await readFile(lockFile, 'utf8'), lockFile, lockFileName(md)).value;
      if (existing.digest === digest) {
        result.lock = existing;
        return result;
      }
    } catch {
      // unreadable lock: rewritten below
    }
  }
  const lock: Lock = { generated: rfc3339Nano(opts.now ?? new Date(defaultMtime() * 1000)), digest, dependencies: locked };
  await writeFileAtomic(lockFile, serializeLock(lock), { mode: 0o644 });
  result.lock = lock;
  result.lockWritten = true;
  return result;
}

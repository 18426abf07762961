// Assembling the `charts/` directory of the collection image in a staged copy of the collection
// chart: dependencies covered by given chart archives (e.g. package-chart's output) are copied in;
// every other dependency goes through the chart engine's `helm dep up` (updateDependencies):
// `file://` directories (0.1.x style; made absolute in the staged copy, so they resolve as from the
// original place), name-only dependencies found in search paths (0.6.0 style), http(s)/oci
// repositories. Every chart packaged from a directory carries its own dependencies in its charts/,
// recursively, as Kaapana's build packs them (the engine's `ownDependencies`); a given archive that
// lacks one is refused before anything is built. Dependencies with no chart are reported with their
// line (or dropped with `warn`). Never touches the original collection directory.
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import semver from 'semver';
import { isMap, isSeq, parseDocument } from 'yaml';
import { checkDependenciesDeep, findChartsByName, loadArchive, updateDependencies } from '../chart/index.js';
import { KxAggregateError, KxError } from '../errors/index.js';
import { pathExists, writeFileAtomic } from '../fsutil/index.js';
import type { ListedDependency } from './dependency-list.js';
import { resolveFileRepository } from './file-repository.js';

export interface AssembleChartsOptions {
  /** The original collection chart directory (file:// paths are relative to it). */
  collectionDir: string;
  /** Staged copy of the collection chart; its dependency file is rewritten, its charts/ filled. */
  stageDir: string;
  /** Path of the dependency file inside the staged copy (requirements.yaml or Chart.yaml). */
  stagedDependencyFile: string;
  /** The collection's dependencies (readDependencyList of the original file). */
  dependencies: ListedDependency[];
  /** The original dependency file, for error locations. */
  dependencyFile: string;
  /** Ready chart archives (`<name>-<version>.tgz`); they win over resolving the dependency. */
  archives?: string[];
  /** Trees searched for a chart directory by name, for dependencies without repository. */
  searchPaths?: string[];
  /** The version `0.0.0` stands for (Kaapana ≥ 0.2); default: the collection's version. */
  platformVersion?: string;
  /** `error` (default): a dependency without a chart fails; `warn`: it is left out. */
  missing?: 'error' | 'warn';
  onWarning?: (message: string) => void;
  log?: (message: string) => void;
}

export interface AssembledChart {
  name: string;
  version: string;
  /** Path of the archive in the staged `charts/`. */
  file: string;
  source: 'archive' | 'file' | 'search-path' | 'kaapana-source' | 'http' | 'oci' | 'charts-dir';
}

export interface AssembleChartsResult {
  charts: AssembledChart[];
  /** Dependencies left out (missing: warn). */
  missing: ListedDependency[];
}

const ARCHIVE_NAME = /^(.+)-(v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?)\.tgz$/;

/** `{name, version}` of a Helm archive from its file name (`helm package` writes `<name>-<version>.tgz`). */
export function archiveIdentity(path: string): { name: string; version: string } {
  const m = ARCHIVE_NAME.exec(basename(path));
  if (!m)
    throw new KxError('a chart archive must be named <name>-<version>.tgz (as helm package writes it)', { file: path });
  return { name: m[1]!, version: m[2]! };
}

/** Does a chart version satisfy what the collection lists? `0.0.0` (Kaapana ≥ 0.2: "the platform version") accepts any. */
export function versionMatches(listed: string, actual: string): boolean {
  if (listed === '' || listed === '0.0.0' || listed === actual) return true;
  const range = semver.validRange(listed);
  return range !== null && semver.valid(actual) !== null && semver.satisfies(actual, range);
}

/**
 * Rewrite the staged dependency list: keep only `keep` (by name, in their order and with all their
 * fields), with `file://` repositories made absolute. The staged copy is a throwaway, so the
 * Document API's re-formatting does not matter here.
 */
async function rewriteStagedList(file: string, keep: ListedDependency[], absolute: Map<string, string>): Promise<void> {
  const text = (await pathExists(file)) ? await readFile(file, 'utf8') : '';
  const doc = parseDocument(text);
  if (!isMap(doc.contents)) return; // no dependencies at all: nothing to rewrite
  const names = new Set(keep.map((d) => d.name));
  const deps = doc.get('dependencies');
  if (isSeq(deps)) {
    deps.items = deps.items.filter((item) => isMap(item) && names.has(String(item.get('name'))));
    for (const item of deps.items) {
      if (!isMap(item)) continue;
      const abs = absolute.get(String(item.get('name')));
      if (abs) item.set('repository', abs);
    }
    if (deps.items.length === 0) doc.delete('dependencies');
  }
  await writeFileAtomic(file, doc.toString());
}

/**
 * Errors of the dependency update point into the staged copy, which means nothing to the user:
 * point them at the original dependency file, on the line of the dependency they name.
 */
function relocate(e: unknown, stageDir: string, file: string, deps: ListedDependency[]): unknown {
  const one = (err: KxError): KxError => {
    if (!err.file?.startsWith(stageDir)) return err;
    const dep = deps.find((d) => err.message.includes(`"${d.name}"`) || err.message.includes(` ${d.name} `));
    return new KxError(err.message.split(stageDir).join(dirnameOf(file)), dep ? { file, line: dep.line } : { file }, {
      cause: err,
    });
  };
  if (e instanceof KxAggregateError) return new KxAggregateError(e.errors.map(one));
  if (e instanceof KxError) return one(e);
  return e;
}

const dirnameOf = (p: string) => p.slice(0, Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')));

/**
 * A ready chart archive the platform can install: it exists, is named `<name>-<version>.tgz`, and
 * loads with all its dependencies, recursively (helm's install check). Returns its identity.
 */
export async function checkChartArchive(file: string): Promise<{ name: string; version: string }> {
  const path = resolve(file);
  if (!(await pathExists(path))) throw new KxError('chart archive does not exist', { file });
  const id = archiveIdentity(path);
  try {
    checkDependenciesDeep(await loadArchive(path), `${id.name}-${id.version}`);
  } catch (e) {
    throw new KxError(
      `chart archive ${basename(path)} cannot be installed by the platform's helm: ${e instanceof Error ? e.message : String(e)}; package it with its dependencies (package-chart does)`,
      { file },
    );
  }
  return id;
}

interface GivenArchive {
  path: string;
  version: string;
}

/** Phase 1: the given archives by chart name; each must exist and load with all its dependencies. */
async function readGivenArchives(opts: AssembleChartsOptions): Promise<Map<string, GivenArchive>> {
  const given = new Map<string, GivenArchive>();
  for (const a of opts.archives ?? []) {
    const path = resolve(a);
    const id = await checkChartArchive(a);
    given.set(id.name, { path, version: id.version });
  }
  for (const [name, a] of given) {
    if (!opts.dependencies.some((d) => d.name === name))
      opts.onWarning?.(`chart archive ${basename(a.path)} is not a dependency of the collection; it is not carried`);
  }
  return given;
}

interface Classified {
  fromArchive: { dep: ListedDependency; path: string; version: string }[];
  resolveByEngine: ListedDependency[];
  missing: ListedDependency[];
  /** file:// repositories made absolute, by dependency name. */
  absolute: Map<string, string>;
  errors: KxError[];
}

/** Phase 2: which dependencies come from archives, which the dependency update resolves, which are missing. */
async function classifyDependencies(
  opts: AssembleChartsOptions,
  given: Map<string, GivenArchive>,
): Promise<Classified> {
  const out: Classified = { fromArchive: [], resolveByEngine: [], missing: [], absolute: new Map(), errors: [] };
  let byName: Awaited<ReturnType<typeof findChartsByName>> | undefined;
  for (const dep of opts.dependencies) {
    const archive = given.get(dep.name);
    if (archive) {
      if (versionMatches(dep.version, archive.version)) out.fromArchive.push({ dep, ...archive });
      else
        out.errors.push(
          new KxError(
            `chart archive ${basename(archive.path)} is version ${archive.version}, the collection lists ${dep.name} ${dep.version}`,
            { file: opts.dependencyFile, line: dep.line },
          ),
        );
      continue;
    }
    const repo = dep.repository?.trim() ?? '';
    if (repo.startsWith('file://')) {
      const dir = resolveFileRepository(opts.collectionDir, repo)!;
      if (await pathExists(join(dir, 'Chart.yaml'))) {
        out.absolute.set(dep.name, `file://${dir}`);
        out.resolveByEngine.push(dep);
      } else out.missing.push(dep);
    } else if (repo === '') {
      byName ??= await findChartsByName(opts.searchPaths ?? []);
      (byName.has(dep.name) ? out.resolveByEngine : out.missing).push(dep);
    } else {
      out.resolveByEngine.push(dep); // http(s):// or oci://: the engine fetches it
    }
  }
  return out;
}

/** Phase 3: a dependency without a chart is an error on its line, or (warn) a warning naming it. */
function reportMissing(opts: AssembleChartsOptions, c: Classified): void {
  for (const d of c.missing) {
    const how = d.repository
      ? `${d.repository.trim()} is not a chart directory`
      : `no chart named ${d.name} below ${(opts.searchPaths ?? []).join(', ') || '(no search path)'}`;
    const msg = `no chart for dependency ${d.name} ${d.version}: ${how}; pass its archive in \`charts\``;
    if ((opts.missing ?? 'error') === 'error')
      c.errors.push(new KxError(msg, { file: opts.dependencyFile, line: d.line }));
    else opts.onWarning?.(msg);
  }
  if (c.errors.length === 1) throw c.errors[0]!;
  if (c.errors.length > 1) throw new KxAggregateError(c.errors);
}

/** Phase 4: the engine's dependency update on the staged copy, each chart with its own dependencies. */
async function resolveWithEngine(opts: AssembleChartsOptions, c: Classified): Promise<AssembledChart[]> {
  await rewriteStagedList(opts.stagedDependencyFile, c.resolveByEngine, c.absolute);
  if (c.resolveByEngine.length === 0) return [];
  const updated = await updateDependencies(opts.stageDir, {
    ownDependencies: true,
    ...(opts.searchPaths ? { searchPaths: opts.searchPaths } : {}),
    ...(opts.platformVersion ? { platformVersion: opts.platformVersion } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  }).catch((e: unknown) => {
    throw relocate(e, opts.stageDir, opts.dependencyFile, opts.dependencies);
  });
  return updated.dependencies
    .filter((r) => r.archive)
    .map((r) => ({ name: r.name, version: r.version, file: r.archive!, source: r.source }));
}

/** Fill `<stageDir>/charts/`; see AssembleChartsOptions. */
export async function assembleCharts(opts: AssembleChartsOptions): Promise<AssembleChartsResult> {
  const chartsDir = join(opts.stageDir, 'charts');
  await mkdir(chartsDir, { recursive: true });
  const given = await readGivenArchives(opts);
  const classified = await classifyDependencies(opts, given);
  reportMissing(opts, classified);
  const charts = await resolveWithEngine(opts, classified);
  for (const a of classified.fromArchive) {
    const file = join(chartsDir, basename(a.path));
    await copyFile(a.path, file);
    charts.push({ name: a.dep.name, version: a.version, file, source: 'archive' });
  }
  return { charts, missing: classified.missing };
}

// Assembling the `charts/` directory of the collection image: one `<name>-<version>.tgz` per
// dependency of the collection, taken from given chart archives (e.g. the output of
// package-chart), or packaged from the dependency's `file://` directory (0.1.x style), or from a
// chart directory of the tree with that name (0.6.0 style, no repository) — the packaging itself is
// the chart engine's (passed in as `packageChart`). Missing charts are an error (or a warning).
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import semver from 'semver';
import { isMap, isScalar, parseDocument } from 'yaml';
import { KxAggregateError, KxError } from '../errors/index.js';
import { pathExists } from '../fsutil/index.js';
import type { ListedDependency } from './dependency-list.js';
import { resolveFileRepository } from './file-repository.js';

/** Packages the chart in `chartDir` into `destDir`, returning the archive's path. */
export type ChartPackager = (chartDir: string, destDir: string) => Promise<string>;

export interface AssembleChartsOptions {
  collectionDir: string;
  /** The collection's dependencies (readDependencyList). */
  dependencies: ListedDependency[];
  /** Directory the archives are written to (created). */
  outDir: string;
  /** Ready chart archives (`<name>-<version>.tgz`); they win over packaging. */
  archives?: string[];
  /** Trees searched for a chart directory by name, for dependencies without `file://`. */
  searchDirs?: string[];
  packageChart: ChartPackager;
  /** `error` (default): a dependency without a chart fails; `warn`: it is left out. */
  missing?: 'error' | 'warn';
  onWarning?: (message: string) => void;
  /** File the dependencies come from, for error locations. */
  dependencyFile?: string;
}

export interface AssembledChart {
  name: string;
  version: string;
  /** Path of the archive in `outDir`. */
  file: string;
  source: 'archive' | 'file-repository' | 'tree';
  /** Archive given, or chart directory packaged. */
  from: string;
}

export interface AssembleChartsResult {
  charts: AssembledChart[];
  missing: ListedDependency[];
}

const ARCHIVE_NAME = /^(.+)-(v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?)\.tgz$/;

/** `{name, version}` of a Helm archive from its file name (`helm package` writes `<name>-<version>.tgz`). */
export function archiveIdentity(path: string): { name: string; version: string } {
  const m = ARCHIVE_NAME.exec(basename(path));
  if (!m) throw new KxError('a chart archive must be named <name>-<version>.tgz (as helm package writes it)', { file: path });
  return { name: m[1]!, version: m[2]! };
}

/** Does the chart version satisfy what the collection lists? `0.0.0` (Kaapana 0.6.0: "the platform version") accepts any. */
function versionMatches(listed: string, actual: string): boolean {
  if (listed === '' || listed === '0.0.0' || listed === actual) return true;
  const range = semver.validRange(listed);
  return range !== null && semver.valid(actual) !== null && semver.satisfies(actual, range);
}

async function chartIdentity(dir: string): Promise<{ name?: string; version?: string }> {
  try {
    const doc = parseDocument(await readFile(join(dir, 'Chart.yaml'), 'utf8'));
    const root = doc.contents;
    if (!isMap(root)) return {};
    const get = (k: string) => {
      const n = root.items.find((p) => isScalar(p.key) && p.key.value === k)?.value;
      return isScalar(n) && n.value !== null ? (n.source ?? String(n.value)) : undefined;
    };
    const out: { name?: string; version?: string } = {};
    const name = get('name');
    const version = get('version');
    if (name) out.name = name;
    if (version) out.version = version;
    return out;
  } catch {
    return {};
  }
}

const SKIP_DIRS = new Set(['node_modules', '.git', 'charts', 'templates', 'dist', 'lib']);

/** Chart directories below `roots`, by chart name (first found wins; sorted walk). */
async function chartsByName(roots: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 12) return;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (entries.some((e) => e.isFile() && e.name === 'Chart.yaml')) {
      const { name } = await chartIdentity(dir);
      if (name && !found.has(name)) found.set(name, dir);
    }
    for (const e of entries) if (e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) await walk(join(dir, e.name), depth + 1);
  };
  for (const r of roots) await walk(resolve(r), 0);
  return found;
}

/** Put one archive per dependency into `outDir`; see AssembleChartsOptions. */
export async function assembleCharts(opts: AssembleChartsOptions): Promise<AssembleChartsResult> {
  await mkdir(opts.outDir, { recursive: true });
  const given = new Map<string, { path: string; version: string }>();
  for (const a of opts.archives ?? []) {
    const path = resolve(a);
    if (!(await pathExists(path))) throw new KxError('chart archive does not exist', { file: a });
    const id = archiveIdentity(path);
    given.set(id.name, { path, version: id.version });
  }
  let tree: Map<string, string> | undefined;
  const charts: AssembledChart[] = [];
  const missing: ListedDependency[] = [];
  const errors: KxError[] = [];
  const where = (d: ListedDependency) => (opts.dependencyFile ? { file: opts.dependencyFile, line: d.line } : {});

  for (const dep of opts.dependencies) {
    const archive = given.get(dep.name);
    if (archive) {
      if (!versionMatches(dep.version, archive.version)) {
        errors.push(new KxError(`chart archive ${basename(archive.path)} is version ${archive.version}, the collection lists ${dep.name} ${dep.version}`, where(dep)));
        continue;
      }
      const file = join(opts.outDir, basename(archive.path));
      await copyFile(archive.path, file);
      charts.push({ name: dep.name, version: archive.version, file, source: 'archive', from: archive.path });
      continue;
    }
    let dir: string | undefined;
    let source: AssembledChart['source'] = 'file-repository';
    if (dep.repository?.startsWith('file://')) {
      dir = resolveFileRepository(opts.collectionDir, dep.repository);
      if (dir && !(await pathExists(join(dir, 'Chart.yaml')))) dir = undefined;
    } else if (!dep.repository) {
      tree ??= await chartsByName(opts.searchDirs ?? []);
      dir = tree.get(dep.name);
      source = 'tree';
    }
    if (!dir) {
      missing.push(dep);
      continue;
    }
    const id = await chartIdentity(dir);
    if (id.name !== dep.name || !id.version || !versionMatches(dep.version, id.version)) {
      errors.push(
        new KxError(`${dep.name} ${dep.version}: the chart in ${dir} is ${id.name ?? '(no name)'} ${id.version ?? '(no version)'}`, where(dep)),
      );
      continue;
    }
    const file = await opts.packageChart(dir, opts.outDir);
    charts.push({ name: dep.name, version: id.version, file, source, from: dir });
  }

  for (const [name, a] of given) {
    if (!opts.dependencies.some((d) => d.name === name)) opts.onWarning?.(`chart archive ${basename(a.path)} is not a dependency of the collection; it is not carried`);
  }
  for (const d of missing) {
    const how = d.repository ? `repository ${d.repository} is not a chart directory here` : 'no chart directory of that name in the search dirs';
    const msg = `no chart for dependency ${d.name} ${d.version}: ${how}; pass its archive in \`charts\``;
    if ((opts.missing ?? 'error') === 'error') errors.push(new KxError(msg, where(d)));
    else opts.onWarning?.(msg);
  }
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new KxAggregateError(errors);
  return { charts, missing };
}

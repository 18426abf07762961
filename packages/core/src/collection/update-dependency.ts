// Step one of the collection update: put the extension into the collection chart's dependency list
// on disk. Finds the right file (v1 requirements.yaml / v2 Chart.yaml), decides the repository
// (none, a computed relative `file://`, or a given one), edits it comment-preservingly, writes it
// atomically only when it changed (through a symlink that stays below the display root, never over
// a read-only file, keeping non-UTF-8 bytes), and returns the unified diff plus a way to restore
// the file byte for byte. It does not package, build or commit anything.
import { isUtf8 } from 'node:buffer';
import { readFile, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import semver from 'semver';
import { isMap, isScalar } from 'yaml';
import { KxError, errorMessage } from '../errors/index.js';
import { writeFileAtomic } from '../fsutil/index.js';
import { fileRepository } from './file-repository.js';
import {
  locateDependencyFile,
  readDependencyList,
  parseSingleDocument,
  type DependencyEntry,
} from './dependency-list.js';
import { upsertDependency, type UpsertAction } from './dependency-edit.js';
import { unifiedDiff as unifiedDiffOf } from './unified-diff.js';

/**
 * How the entry's `repository` is written:
 * - `auto`: like the existing entries — a computed `file://` when most of them have a `file://`
 *   repository (0.1.x style), none otherwise (0.6.0 style);
 * - `none`: no `repository` (an existing one is left as it is);
 * - `file`: `file://<chart dir relative to the collection dir>` (needs `chartDir`);
 * - anything else: written as given (e.g. `file://../../x`, `https://charts.example.org`).
 */
export type RepositoryChoice = 'auto' | 'none' | 'file' | (string & {});

export interface UpdateDependencyOptions {
  /** Directory of the collection chart (holds Chart.yaml). */
  collectionDir: string;
  /** Extension chart directory: default name and version, and the target of a `file://` repository. */
  chartDir?: string;
  /** Chart name of the extension; default: `name` of `<chartDir>/Chart.yaml`. */
  name?: string;
  /** Chart version of the extension (semver); default: `version` of `<chartDir>/Chart.yaml`. */
  version?: string;
  repository?: RepositoryChoice;
  /** Compute everything but do not write. */
  dryRun?: boolean;
  /** Paths in the diff and messages are shown relative to this directory (default: cwd). */
  displayRoot?: string;
}

export interface UpdateDependencyResult {
  /** Absolute path of the edited file. */
  file: string;
  /** `file` relative to `displayRoot`. */
  displayPath: string;
  apiVersion: 'v1' | 'v2';
  collectionName: string;
  collectionVersion: string;
  entry: DependencyEntry;
  action: UpsertAction;
  previousVersion?: string;
  changed: boolean;
  /** Unified diff of the edit ('' when unchanged). */
  diff: string;
  /** Put the file back as it was before the edit (byte for byte; removed when it did not exist). */
  restore: () => Promise<void>;
}

const CHART_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function readChartIdentity(chartDir: string): Promise<{ name?: string; version?: string }> {
  const file = join(chartDir, 'Chart.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new KxError(`cannot read the extension's Chart.yaml (${(e as NodeJS.ErrnoException).code ?? String(e)})`, {
      file,
    });
  }
  const { doc } = parseSingleDocument(text, file);
  const root = doc?.contents;
  if (!isMap(root)) throw new KxError('Chart.yaml must be a mapping', { file, line: 1 });
  const get = (k: string) => {
    const node = root.items.find((p) => isScalar(p.key) && p.key.value === k)?.value;
    return isScalar(node) && node.value !== null ? (node.source ?? String(node.value)) : undefined;
  };
  const out: { name?: string; version?: string } = {};
  const name = get('name');
  const version = get('version');
  if (name !== undefined) out.name = name;
  if (version !== undefined) out.version = version;
  return out;
}

function chooseRepository(
  choice: RepositoryChoice,
  collectionDir: string,
  chartDir: string | undefined,
  existing: { name: string; repository?: string }[],
  name: string,
  file: string,
): string | undefined {
  const computed = () => {
    if (!chartDir) {
      const why =
        choice === 'auto'
          ? 'the existing entries use file:// repositories, so the new one needs'
          : `repository "${choice}" needs`;
      throw new KxError(
        `${why} the extension chart directory to compute its file:// path (or set the repository to none)`,
        { file },
      );
    }
    return fileRepository(collectionDir, chartDir);
  };
  switch (choice) {
    case 'none':
      return undefined;
    case 'file':
      return computed();
    case 'auto': {
      // an entry that is already listed keeps its repository
      if (existing.some((d) => d.name === name)) return undefined;
      const withFile = existing.filter((d) => d.repository?.startsWith('file://')).length;
      if (withFile === 0 || withFile * 2 < existing.length) return undefined;
      return computed();
    }
    default:
      return choice;
  }
}

/** Phase 1: name and version of the entry (given, or from the chart's Chart.yaml), checked. */
async function entryIdentity(
  opts: UpdateDependencyOptions,
  chartDir: string | undefined,
): Promise<{ name: string; version: string }> {
  const identity = chartDir && (!opts.name || !opts.version) ? await readChartIdentity(chartDir) : {};
  const name = opts.name || identity.name;
  const version = opts.version || identity.version;
  const where = chartDir ? { file: join(chartDir, 'Chart.yaml') } : {};
  if (!name) throw new KxError('no extension chart name given (and no chart directory to read it from)', where);
  if (!CHART_NAME.test(name)) throw new KxError(`"${name}" is not a valid chart name`, where);
  if (!version) throw new KxError(`no version given for "${name}"`, where);
  if (!semver.valid(version))
    throw new KxError(`version "${version}" of "${name}" is not a semantic version (x.y.z)`, where);
  return { name, version };
}

/** Phase 2: the dependency file's bytes (undefined: a v1 chart without requirements.yaml yet). */
async function readOriginal(loc: { path: string; apiVersion: 'v1' | 'v2' }): Promise<Buffer | undefined> {
  try {
    return await readFile(loc.path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // A v1 chart without requirements.yaml simply has no dependencies yet.
    if (code === 'ENOENT' && loc.apiVersion === 'v1') return undefined;
    throw new KxError(
      code === 'EISDIR'
        ? `${loc.path} is a directory, not a file`
        : `cannot read ${loc.path}: ${code ?? errorMessage(e)}`,
      { file: loc.path },
    );
  }
}

/** Add or update the extension in the collection's dependency list; see UpdateDependencyOptions. */
export async function updateCollectionDependency(opts: UpdateDependencyOptions): Promise<UpdateDependencyResult> {
  const collectionDir = resolve(opts.collectionDir);
  const chartDir = opts.chartDir ? resolve(opts.chartDir) : undefined;
  const displayRoot = resolve(opts.displayRoot ?? process.cwd());
  const loc = await locateDependencyFile(collectionDir);
  const { name, version } = await entryIdentity(opts, chartDir);
  const original = await readOriginal(loc);
  // Bytes that are not UTF-8 (e.g. Latin-1 comments) are kept: such a file is edited as Latin-1, one
  // character per byte, so every byte round-trips; the values written are turned into their UTF-8
  // bytes first. A UTF-8 file is edited as text (and written back as UTF-8, byte for byte).
  const utf8 = original === undefined || isUtf8(original);
  const encoding = utf8 ? 'utf8' : 'latin1';
  const asFileText = (v: string) => (utf8 ? v : Buffer.from(v, 'utf8').toString('latin1'));
  const before = original?.toString(encoding) ?? '';
  const existing = readDependencyList(before, loc.path);
  const repository = chooseRepository(opts.repository ?? 'auto', collectionDir, chartDir, existing, name, loc.path);
  const entry: DependencyEntry = { name, version };
  if (repository !== undefined) entry.repository = repository;

  const edit = upsertDependency(before, loc.path, {
    ...entry,
    ...(repository !== undefined ? { repository: asFileText(repository) } : {}),
  });
  const changed = edit.text !== before;
  const displayPath = relative(displayRoot, loc.path) || loc.path;
  // Through a symlink only to a file below displayRoot; a read-only file is refused (writeFileAtomic).
  if (changed && !opts.dryRun)
    await writeFileAtomic(loc.path, Buffer.from(edit.text, encoding), { within: displayRoot });
  const diff = changed ? unifiedDiffOf(displayPath, before, edit.text) : '';
  const result: UpdateDependencyResult = {
    file: loc.path,
    displayPath,
    apiVersion: loc.apiVersion,
    collectionName: loc.chartName,
    collectionVersion: loc.chartVersion,
    entry,
    action: edit.action,
    changed,
    diff: utf8 ? diff : Buffer.from(diff, 'latin1').toString('utf8'),
    restore: async () => {
      if (!changed || opts.dryRun) return;
      if (original === undefined) await rm(loc.path, { force: true });
      else await writeFileAtomic(loc.path, original, { within: displayRoot });
    },
  };
  if (edit.previousVersion !== undefined) result.previousVersion = edit.previousVersion;
  return result;
}

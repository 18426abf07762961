// Names taken from input (chart and dependency names, versions from a repository index, entries of
// a dependency list) that become file names: one rule for "is this a single path segment" and one
// function that joins such a name under a directory and proves the result stays inside it. The
// segment rule is helm's chart-name rule (pkg/chart/v2/metadata.go `Validate`: not "." or "..",
// and equal to its own `filepath.Base`), applied for both Linux and Windows separators so that a
// name like `..\..\x` is refused on every runner, plus no NUL and no drive letter. It does not
// touch the file system: symlinks below the directory are the caller's business (chart/load.ts).
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { KxError, type KxErrorLocation } from '../errors/index.js';

/** Why `name` is not usable as one path segment, or undefined when it is. */
export function pathSegmentProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === '.' || name === '..') return 'is not allowed';
  if (name.includes('/') || name.includes('\\')) return 'contains a path separator';
  if (name.includes('\0')) return 'contains a NUL byte';
  if (/^[A-Za-z]:/.test(name)) return 'starts with a drive letter';
  return undefined;
}

/**
 * Throws a KxError (at `where`) unless `name` is a single path segment; `what` says what the name
 * is, e.g. `chart name` or `dependency name`.
 */
export function checkPathSegment(name: string, what: string, where: KxErrorLocation = {}): string {
  const problem = pathSegmentProblem(name);
  if (problem) throw new KxError(`${what} ${JSON.stringify(name)} ${problem}: it must be a plain file name`, where);
  return name;
}

/** True when `path` is `dir` itself or below it (lexically, after resolving both). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/**
 * `dir/name` for a `name` taken from input: the name must be one path segment (see
 * `checkPathSegment`) and the joined path must stay strictly inside `dir`.
 */
export function safeJoin(dir: string, name: string, what: string, where: KxErrorLocation = {}): string {
  checkPathSegment(name, what, where);
  const path = resolve(dir, name);
  if (!isInside(dir, path) || resolve(dir) === path) {
    throw new KxError(`${what} ${JSON.stringify(name)} would leave ${dir}`, where);
  }
  return path;
}

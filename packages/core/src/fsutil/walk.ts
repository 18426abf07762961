// The one directory walker of the domain package (Dockerfile discovery, chart discovery, chart
// search paths, reference lint). Its rules, the same for every caller:
// - symbolic links are never followed (a link to a directory is not entered, a link to a file is
//   not listed), so a tree with a link loop is walked once and nothing outside the root is read;
// - entries come in byte order of their names, so every walk is reproducible;
// - a directory that cannot be read is reported to `onUnreadable` (default: skipped silently below
//   the root; the root itself must be readable);
// - which directories are entered is the caller's rule: `skipDirs` by name at any depth, hidden
//   (dot) directories unless `hidden`, `ignore` on the path relative to the root, and `enter` for
//   anything that needs to look inside (e.g. "is this a collection chart?").
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface WalkEntry {
  /** Absolute path. */
  path: string;
  /** Path relative to the root, with `/` separators. */
  rel: string;
  name: string;
}

export interface WalkOptions {
  /** Directory names never entered, at any depth (e.g. node_modules, .git, charts, templates). */
  skipDirs?: Iterable<string>;
  /** Enter directories whose name starts with a dot (default false). */
  hidden?: boolean;
  /** Files and directories left out by their path relative to the root. */
  ignore?: (rel: string) => boolean;
  /** Last say on entering a directory (after the rules above). */
  enter?: (dir: WalkEntry) => boolean | Promise<boolean>;
  /** Called with each directory that could not be read; throw from it to stop the walk. */
  onUnreadable?: (dir: string, error: unknown) => void;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Walks `root`: calls `onDir` for every directory entered (root included) and `onFile` for every file. */
export async function walkTree(
  root: string,
  opts: WalkOptions,
  visit: {
    onDir?: (dir: WalkEntry, fileNames: string[]) => void | Promise<void>;
    onFile?: (file: WalkEntry) => void | Promise<void>;
  },
): Promise<void> {
  const skip = new Set(opts.skipDirs ?? []);
  const walk = async (dir: string, isRoot: boolean): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isRoot) throw e;
      opts.onUnreadable?.(dir, e);
      return;
    }
    entries.sort((a, b) => byteOrder(a.name, b.name));
    const here = entry(root, dir);
    await visit.onDir?.(
      here,
      entries.filter((e) => e.isFile()).map((e) => e.name),
    );
    for (const e of entries) {
      const child = entry(root, join(dir, e.name));
      if (opts.ignore?.(child.rel)) continue;
      if (e.isFile()) await visit.onFile?.(child);
      else if (
        e.isDirectory() &&
        !skip.has(e.name) &&
        (opts.hidden || !e.name.startsWith('.')) &&
        (await (opts.enter?.(child) ?? true))
      ) {
        await walk(child.path, false);
      }
    }
  };
  await walk(root, true);
}

function entry(root: string, path: string): WalkEntry {
  const rel = relative(root, path).split(sep).join('/');
  return { path, rel, name: rel.slice(rel.lastIndexOf('/') + 1) };
}

/** Every file below `root` (walkTree's rules), absolute paths in walk order. */
export async function listFiles(
  root: string,
  opts: WalkOptions = {},
  accept: (file: WalkEntry) => boolean = () => true,
): Promise<string[]> {
  const out: string[] = [];
  await walkTree(root, opts, { onFile: (f) => void (accept(f) && out.push(f.path)) });
  return out;
}

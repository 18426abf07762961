// Finding the Dockerfiles of an extension: every file whose name starts with `Dockerfile` below a
// context directory (or an explicit list / glob), minus ignore patterns. A plain pattern matches a
// whole path segment (`templates_and_examples`, `node_modules`); a pattern with `*`, `?` or `/` is a
// glob against the path relative to the context.
import { readdir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { KxError } from '../errors/index.js';
import { globMatcher, isGlobPattern, pathExists } from '../fsutil/index.js';

export const DEFAULT_IGNORE = ['node_modules', '.git'];

export interface DiscoverOptions {
  /** Directory searched when no explicit list is given. */
  context: string;
  /** Explicit Dockerfiles (paths or globs, relative to `context`). */
  dockerfiles?: string[];
  /** Ignore patterns; DEFAULT_IGNORE is always applied too. */
  ignore?: string[];
}

export function isIgnored(relPath: string, patterns: string[]): boolean {
  const path = relPath.split(sep).join('/');
  const segments = path.split('/');
  return patterns.some((p) => {
    if (isGlobPattern(p) || p.includes('/')) {
      const match = globMatcher(p);
      return segments.some((_, i) => match(segments.slice(0, i + 1).join('/')));
    }
    return segments.includes(p);
  });
}

async function walk(dir: string, root: string, ignore: string[], out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(dir, e.name);
    const rel = relative(root, full);
    if (isIgnored(rel, ignore)) continue;
    if (e.isDirectory()) await walk(full, root, ignore, out);
    else if (e.isFile() && e.name.startsWith('Dockerfile') && !e.name.endsWith('.dockerignore')) out.push(full);
  }
}

export interface DiscoveredDockerfiles {
  /** Every Dockerfile of the tree (what local-only bases are resolved against), sorted. */
  all: string[];
  /** The ones to build: `all`, or the explicit selection. */
  selected: string[];
}

/** Absolute paths of the Dockerfiles of the tree and of the selected ones. */
export async function discoverDockerfiles(opts: DiscoverOptions): Promise<DiscoveredDockerfiles> {
  const context = resolve(opts.context);
  if (!(await pathExists(context))) throw new KxError(`context directory ${opts.context} does not exist`);
  const ignore = [...DEFAULT_IGNORE, ...(opts.ignore ?? [])];
  const all: string[] = [];
  await walk(context, context, ignore, all);
  if (!opts.dockerfiles || opts.dockerfiles.length === 0) return { all, selected: all };
  const selected = new Set<string>();
  for (const spec of opts.dockerfiles) {
    if (isGlobPattern(spec)) {
      const match = globMatcher(spec);
      const hits = all.filter((f) => match(relative(context, f)));
      if (hits.length === 0) throw new KxError(`dockerfiles pattern "${spec}" matches no Dockerfile below ${opts.context}`);
      hits.forEach((h) => selected.add(h));
    } else {
      const full = resolve(context, spec);
      if (!(await pathExists(full))) throw new KxError(`Dockerfile ${spec} does not exist (relative to ${opts.context})`);
      selected.add(full);
    }
  }
  const selectedList = [...selected].sort();
  return { all: [...new Set([...all, ...selectedList])].sort(), selected: selectedList };
}

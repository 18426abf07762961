// Finding the Dockerfiles of an extension: every file whose name starts with `Dockerfile` below a
// context directory (or an explicit list / glob), minus ignore patterns. A plain pattern matches a
// whole path segment (`templates_and_examples`, `node_modules`); a pattern with `*`, `?` or `/` is a
// glob against the path relative to the context. A Kaapana checkout (the kaapana-source input, or a
// context that is one) is read the way Kaapana's build reads it: every `Dockerfile*`, minus paths
// containing one of BUILD_IGNORE_PATTERNS as a plain substring (kaapana/kaapana@0.6.0
// build-scripts/build_helper/container/container_helper.py `collect_containers`: `any(pattern in
// dockerfile.as_posix() ...)`; default `templates_and_examples,ci,lib/task_api`). Kaapana matches the
// absolute path; here the path relative to the checkout is matched, so that a checkout location
// containing e.g. "ci" does not hide the whole tree. Below an extension's context, two kinds of
// folder are never entered wherever they sit: a checkout of kaapana-ext itself (e.g. a
// `.kaapana-ext` clone of the toolkit inside the extension repository: its example images would
// collide with the user's) and an extension-collection chart folder (its image is built by
// update-collection, not as an ordinary image; Kaapana's trees hold a Chart.yaml next to a
// Dockerfile only there).
import { readFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { KxError } from '../errors/index.js';
import { globMatcher, isGlobPattern, pathExists, walkTree } from '../fsutil/index.js';

export const DEFAULT_IGNORE = ['node_modules', '.git'];

/** Kaapana's default BUILD_IGNORE_PATTERNS (substring matches on the Dockerfile's path). */
export const KAAPANA_IGNORE_PATTERNS = ['templates_and_examples', 'ci', 'lib/task_api'];

/**
 * True when `dir` is a Kaapana checkout: it has Kaapana's build script. A collection chart alone does
 * not make one — extension repositories laid out like Kaapana's docs carry their own
 * `collections/kaapana-collection`, which discovery must skip, not build.
 */
export async function isKaapanaTree(dir: string): Promise<boolean> {
  return pathExists(join(dir, 'build-scripts', 'start_build.py'));
}

/** Every Dockerfile* of a Kaapana checkout minus the substring patterns, in Kaapana's (sorted) order. */
export async function discoverKaapanaDockerfiles(
  root: string,
  patterns: string[] = KAAPANA_IGNORE_PATTERNS,
): Promise<string[]> {
  const dir = resolve(root);
  if (!(await pathExists(dir))) throw new KxError(`kaapana-source directory ${root} does not exist`);
  const all: string[] = [];
  await walk(dir, DEFAULT_IGNORE, all);
  return all.filter((f) => !isKaapanaIgnored(relative(dir, f), patterns)).sort();
}

/** Kaapana's rule: a plain substring match of any pattern on the (posix) path. */
export function isKaapanaIgnored(relPath: string, patterns: string[]): boolean {
  const path = relPath.split(sep).join('/');
  return patterns.some((p) => p !== '' && path.includes(p));
}

export interface DiscoverOptions {
  /** Directory searched when no explicit list is given. */
  context: string;
  /** Explicit Dockerfiles (paths or globs, relative to `context`). */
  dockerfiles?: string[];
  /** Ignore patterns; DEFAULT_IGNORE is always applied too. */
  ignore?: string[];
  /** Substring patterns applied as Kaapana does when the context is a Kaapana checkout. */
  kaapanaIgnore?: string[];
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

export interface SkippedDir {
  /** Path relative to the context. */
  dir: string;
  reason: 'kaapana-ext checkout' | 'extension collection chart';
}

/** The Chart.yaml of `dir` declares Kaapana's extension collection (name or kaapana_type). */
async function isCollectionChart(dir: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(join(dir, 'Chart.yaml'), 'utf8');
  } catch {
    return false;
  }
  // Two top-level scalars are enough; a YAML parse of every Chart.yaml of a large tree is not needed.
  const name = /^name:\s*["']?([^"'\s#]+)/m.exec(text)?.[1];
  const type = /^kaapana_type:\s*["']?([^"'\s#]+)/m.exec(text)?.[1] ?? '';
  return name === 'kaapana-extension-collection' || /collection$/.test(type);
}

/** Why discovery does not enter `dir` (below the context), or undefined when it does. */
export async function skipReason(dir: string): Promise<SkippedDir['reason'] | undefined> {
  if (await pathExists(join(dir, 'action-build-images', 'action.yml'))) return 'kaapana-ext checkout';
  if (await isCollectionChart(dir)) return 'extension collection chart';
  return undefined;
}

/** Every Dockerfile* below `root` (fsutil/walk's rules; hidden folders are entered); with `skipped`, folders with a skipReason are not entered. */
async function walk(root: string, ignore: string[], out: string[], skipped?: SkippedDir[]): Promise<void> {
  await walkTree(
    root,
    {
      hidden: true,
      ignore: (rel) => isIgnored(rel, ignore),
      onUnreadable: (_dir, e) => {
        throw e;
      },
      enter: async (dir) => {
        const reason = skipped ? await skipReason(dir.path) : undefined;
        if (reason) skipped!.push({ dir: dir.rel, reason });
        return !reason;
      },
    },
    { onFile: (f) => void (f.name.startsWith('Dockerfile') && !f.name.endsWith('.dockerignore') && out.push(f.path)) },
  );
}

export interface DiscoveredDockerfiles {
  /** Every Dockerfile of the tree (what local-only bases are resolved against), sorted. */
  all: string[];
  /** The ones to build: `all`, or the explicit selection. */
  selected: string[];
  /** True when `selected` comes from an explicit list. */
  explicit: boolean;
  /** Folders below the context that were not entered, and why. */
  skippedDirs: SkippedDir[];
}

/** Absolute paths of the Dockerfiles of the tree and of the selected ones. */
export async function discoverDockerfiles(opts: DiscoverOptions): Promise<DiscoveredDockerfiles> {
  const context = resolve(opts.context);
  if (!(await pathExists(context))) throw new KxError(`context directory ${opts.context} does not exist`);
  const ignore = [...DEFAULT_IGNORE, ...(opts.ignore ?? [])];
  let all: string[] = [];
  const skippedDirs: SkippedDir[] = [];
  const kaapanaTree = await isKaapanaTree(context);
  // A Kaapana checkout as the context is read as Kaapana's build reads it, collection included.
  await walk(context, ignore, all, kaapanaTree ? undefined : skippedDirs);
  if (kaapanaTree) {
    const patterns = opts.kaapanaIgnore ?? KAAPANA_IGNORE_PATTERNS;
    all = all.filter((f) => !isKaapanaIgnored(relative(context, f), patterns));
  }
  if (!opts.dockerfiles || opts.dockerfiles.length === 0) return { all, selected: all, explicit: false, skippedDirs };
  const selected = new Set<string>();
  for (const spec of opts.dockerfiles) {
    if (isGlobPattern(spec)) {
      const match = globMatcher(spec);
      const hits = all.filter((f) => match(relative(context, f)));
      if (hits.length === 0)
        throw new KxError(`dockerfiles pattern "${spec}" matches no Dockerfile below ${opts.context}`);
      hits.forEach((h) => selected.add(h));
    } else {
      const full = resolve(context, spec);
      if (!(await pathExists(full)))
        throw new KxError(`Dockerfile ${spec} does not exist (relative to ${opts.context})`);
      selected.add(full);
    }
  }
  const selectedList = [...selected].sort();
  return { all: [...new Set([...all, ...selectedList])].sort(), selected: selectedList, explicit: true, skippedDirs };
}

/** The `source` option of planBuild for a Kaapana checkout. */
export async function kaapanaSource(
  root: string,
  patterns: string[] = KAAPANA_IGNORE_PATTERNS,
): Promise<{ root: string; files: string[] }> {
  return { root: resolve(root), files: await discoverKaapanaDockerfiles(root, patterns) };
}

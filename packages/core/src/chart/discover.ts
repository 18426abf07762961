// Finding charts on disk: the chart directories below a root (fsutil/walk's rules; never entering
// hidden folders, node_modules, a chart's charts/ or templates/), the `chart` / `charts` inputs of
// package-chart turned into chart directories (plain paths taken as they are; patterns — `*`, `?`,
// `[...]`, `**` for any depth, see fsutil's globMatcher — expanded to the chart directories below the
// workspace, a pattern may also name the Chart.yaml files themselves), and the charts of search
// paths by name (Kaapana ≥0.2 name-only dependencies). One walk rule serves all three.
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { KxError } from '../errors/index.js';
import { globMatcher, isGlobPattern, walkTree } from '../fsutil/index.js';
import { parseMetadata } from './chartfile.js';

/** Directory names a chart search never enters. */
export const CHART_WALK_SKIP = ['node_modules', '.git', 'charts', 'templates'];

/** Every directory below (and including) `root` that holds a Chart.yaml, in walk (byte) order. */
export async function chartDirsBelow(root: string): Promise<string[]> {
  const out: string[] = [];
  await walkTree(
    resolve(root),
    { skipDirs: CHART_WALK_SKIP },
    { onDir: (d, files) => void (files.includes('Chart.yaml') && out.push(d.path)) },
  ).catch(() => undefined);
  return out;
}

/** Chart directories below `roots`, by chart name. Chart.yaml is read, not validated. */
export async function findChartsByName(roots: string[]): Promise<Map<string, { dir: string; version: string }[]>> {
  const found = new Map<string, { dir: string; version: string }[]>();
  for (const root of roots) {
    for (const dir of await chartDirsBelow(root)) {
      const file = join(dir, 'Chart.yaml');
      try {
        const md = parseMetadata(await readFile(file, 'utf8'), file).value;
        if (!md.name) continue;
        const list = found.get(md.name) ?? [];
        list.push({ dir, version: md.version ?? '' });
        found.set(md.name, list);
      } catch {
        // an unreadable Chart.yaml elsewhere in the tree is not this dependency's problem
      }
    }
  }
  return found;
}

/** One plain (non-pattern) item: the chart directory it names, or a KxError naming it. */
async function plainChartDir(item: string, workspace: string): Promise<string> {
  const abs = resolve(workspace, item);
  const st = await stat(abs).catch(() => undefined);
  if (!st) throw new KxError(`chart directory ${item} does not exist`, { file: item });
  const dir = st.isDirectory() ? abs : dirname(abs);
  if (!(await stat(join(dir, 'Chart.yaml')).catch(() => undefined))) {
    throw new KxError(`${item} is not a chart directory (no Chart.yaml)`, { file: item });
  }
  return dir;
}

/** Resolve the chart directories named by the inputs, relative to `workspace`, de-duplicated, in input order. */
export async function resolveChartDirs(items: string[], workspace: string): Promise<string[]> {
  const found: string[] = [];
  const add = (d: string): void => {
    if (!found.includes(d)) found.push(d);
  };
  let below: string[] | undefined;
  for (const item of items) {
    if (!isGlobPattern(item)) {
      add(await plainChartDir(item, workspace));
      continue;
    }
    const pattern = isAbsolute(item) ? relative(workspace, item) : item.replace(/^\.\//, '');
    const match = globMatcher(pattern.split(sep).join('/'));
    below ??= (await chartDirsBelow(workspace)).sort();
    const matches = below.filter((d) => {
      const rel = relative(workspace, d).split(sep).join('/');
      return match(rel) || match(`${rel}/Chart.yaml`);
    });
    if (matches.length === 0)
      throw new KxError(`input charts: the pattern "${item}" matches no chart directory below ${workspace}`);
    matches.forEach(add);
  }
  return found;
}

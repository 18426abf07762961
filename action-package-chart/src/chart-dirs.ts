// Turning the `chart` / `charts` inputs into chart directories: plain paths are taken as they are,
// patterns (`*`, `?`, `[...]`, `**` for any depth; see core's globMatcher) are expanded to the directories below the
// workspace that contain a Chart.yaml (a pattern may also name the Chart.yaml files themselves).
import { readdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { globMatcher, isGlobPattern, KxError } from '@kaapana-ext/core';

const SKIP = new Set(['node_modules', '.git']);

async function chartDirsBelow(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    if (entries.some((e) => e.isFile() && e.name === 'Chart.yaml')) out.push(dir);
    for (const e of entries) {
      if (e.isDirectory() && !SKIP.has(e.name) && e.name !== 'charts' && e.name !== 'templates') await walk(join(dir, e.name));
    }
  };
  await walk(root);
  return out.sort();
}

/** Resolve the chart directories named by the inputs, relative to `workspace`, de-duplicated, in input order. */
export async function resolveChartDirs(items: string[], workspace: string): Promise<string[]> {
  const found: string[] = [];
  const add = (d: string) => {
    if (!found.includes(d)) found.push(d);
  };
  for (const item of items) {
    if (!isGlobPattern(item)) {
      const abs = resolve(workspace, item);
      const st = await stat(abs).catch(() => undefined);
      if (!st) throw new KxError(`chart directory ${item} does not exist`, { file: item });
      const dir = st.isDirectory() ? abs : dirname(abs);
      if (!(await stat(join(dir, 'Chart.yaml')).catch(() => undefined))) {
        throw new KxError(`${item} is not a chart directory (no Chart.yaml)`, { file: item });
      }
      add(dir);
      continue;
    }
    const pattern = isAbsolute(item) ? relative(workspace, item) : item.replace(/^\.\//, '');
    const match = globMatcher(pattern.split(sep).join('/'));
    const matches = (await chartDirsBelow(workspace)).filter((d) => {
      const rel = relative(workspace, d).split(sep).join('/');
      return match(rel) || match(`${rel}/Chart.yaml`);
    });
    if (matches.length === 0) throw new KxError(`input charts: the pattern "${item}" matches no chart directory below ${workspace}`);
    matches.forEach(add);
  }
  return found;
}

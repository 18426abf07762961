// DAG images (Dockerfiles that COPY or ADD into `/kaapana/tmp/dags/`, 0.6.0, or `/tmp/dags/`, 0.1.x):
// a DAG file copied into the dags directory that imports a module of its own build context which the
// Dockerfile does not copy along cannot be loaded by Airflow. Reported at the import line.
import { readFile } from 'node:fs/promises';
import { basename, join, posix, relative } from 'node:path';
import { pathExists } from '../fsutil/index.js';
import type { PlannedImage } from '../images/index.js';
import { type ReferenceFinding } from './model.js';
import { pythonImports } from './python.js';

const DAGS_RE = /^(?:\/kaapana)?\/tmp\/dags\/?/;

interface Copy {
  src: string;
  dest: string;
}

/** COPY/ADD sources whose destination is the dags directory. */
function dagCopies(dockerfile: string): Copy[] {
  const copies: Copy[] = [];
  for (const m of dockerfile.matchAll(/^\s*(?:COPY|ADD)\s+(?:--\S+\s+)*(.+)$/gim)) {
    const parts = m[1]!.trim().split(/\s+/);
    if (parts.length < 2) continue;
    const dest = parts[parts.length - 1]!;
    if (!DAGS_RE.test(dest)) continue;
    for (const src of parts.slice(0, -1)) copies.push({ src, dest });
  }
  return copies;
}

/** Paths (relative to the dags dir) the image will contain, and the DAG files placed at its top. */
function installedPaths(copies: Copy[], contextDir: string): { installed: string[]; dagFiles: string[] } {
  const installed: string[] = [];
  const dagFiles: string[] = [];
  for (const c of copies) {
    const destRel = c.dest.replace(DAGS_RE, '');
    const at = c.dest.endsWith('/') ? posix.join(destRel, basename(c.src)) : destRel;
    if (c.src.endsWith('/') || !/\.\w+$/.test(c.src)) installed.push(posix.join(destRel, '__dir__'));
    installed.push(at);
    if (c.src.endsWith('.py') && !at.includes('/')) dagFiles.push(join(contextDir, c.src));
  }
  return { installed, dagFiles };
}

/** True when the image's dags directory holds `module` (and, for a dotted one, its submodule). */
function provides(installed: string[], module: string): boolean {
  const top = module.split('.')[0]!;
  if (!installed.some((p) => p === `${top}.py` || p.startsWith(`${top}/`) || p === top)) return false;
  if (!module.includes('.')) return true;
  const path = module.split('.').join('/');
  return installed.some((p) => p === `${path}.py` || p === path || p === posix.join(posix.dirname(path), '__dir__'));
}

/** Module names the build context could provide: every path segment below it. */
function localNames(files: string[], contextDir: string): Set<string> {
  const names = new Set<string>();
  for (const f of files.filter((x) => x.startsWith(contextDir + '/')))
    for (const seg of relative(contextDir, f).split('/')) names.add(seg.replace(/\.py$/, '').replace(/-/g, '_'));
  return names;
}

export async function dagModuleFindings(
  img: Pick<PlannedImage, 'dockerfile' | 'dockerfilePath' | 'contextDir'>,
  files: string[],
  rel: (f: string) => string,
): Promise<ReferenceFinding[]> {
  const copies = dagCopies(await readFile(img.dockerfilePath, 'utf8'));
  if (copies.length === 0) return [];
  const { installed, dagFiles } = installedPaths(copies, img.contextDir);
  const names = localNames(files, img.contextDir);
  const dests = [...new Set(copies.map((c) => c.dest))].join(', ');
  const findings: ReferenceFinding[] = [];
  for (const dag of dagFiles) {
    if (!(await pathExists(dag))) continue;
    for (const imp of pythonImports(await readFile(dag, 'utf8'))) {
      const top = imp.module.split('.')[0]!;
      if (!names.has(top) || top === 'kaapana' || top === 'airflow' || provides(installed, imp.module)) continue;
      findings.push({
        level: 'error',
        message: `${basename(dag)} imports ${imp.module}, but ${img.dockerfile} does not copy it into the dags directory (${dests}): Airflow cannot load the DAG`,
        file: rel(dag),
        line: imp.line,
      });
    }
  }
  return findings;
}

// The one directory walker and the chart discovery built on it: symlinks never followed (a loop is
// walked once), byte order, hidden and named folders skipped by the caller's rule, ignore by
// relative path; chart directories from plain paths and globs with errors naming the input.
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KxError, listFiles, walkTree } from '@kaapana-ext/core';
import { chartDirsBelow, findChartsByName, resolveChartDirs } from '@kaapana-ext/core/chart';

let root: string;
const chart = (name: string, version = '0.1.0') => `apiVersion: v2\nname: ${name}\nversion: ${version}\n`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kx20-walk-'));
  for (const d of ['a/charts/dep', 'a/templates', 'b', '.hidden/c', 'node_modules/x', 'Z'])
    await mkdir(join(root, d), { recursive: true });
  await writeFile(join(root, 'a/Chart.yaml'), chart('alpha'));
  await writeFile(join(root, 'a/charts/dep/Chart.yaml'), chart('dep'));
  await writeFile(join(root, 'a/templates/x.yaml'), '');
  await writeFile(join(root, 'b/Chart.yaml'), chart('beta', '1.2.3'));
  await writeFile(join(root, '.hidden/c/Chart.yaml'), chart('hidden'));
  await writeFile(join(root, 'node_modules/x/Chart.yaml'), chart('nm'));
  await writeFile(join(root, 'Z/file'), '');
  await symlink(root, join(root, 'b/loop'));
  await symlink(join(root, 'Z/file'), join(root, 'b/link-to-file'));
});

describe('walkTree', () => {
  it('never follows symlinks (a loop is walked once), lists in byte order, skips hidden folders unless asked', async () => {
    const rel = (files: string[]) => files.map((f) => f.slice(root.length + 1));
    expect(rel(await listFiles(root))).toEqual([
      'Z/file',
      'a/Chart.yaml',
      'a/charts/dep/Chart.yaml',
      'a/templates/x.yaml',
      'b/Chart.yaml',
      'node_modules/x/Chart.yaml',
    ]);
    expect(rel(await listFiles(root, { hidden: true, skipDirs: ['node_modules', 'charts'] }))).toEqual([
      '.hidden/c/Chart.yaml',
      'Z/file',
      'a/Chart.yaml',
      'a/templates/x.yaml',
      'b/Chart.yaml',
    ]);
    expect(rel(await listFiles(root, { ignore: (r) => r.startsWith('a') }))).toEqual([
      'Z/file',
      'b/Chart.yaml',
      'node_modules/x/Chart.yaml',
    ]);
  });
  it('asks `enter` with the relative path; an unreadable root throws', async () => {
    const asked: string[] = [];
    await walkTree(root, { enter: (d) => (asked.push(d.rel), d.rel !== 'a') }, {});
    expect(asked).toEqual(['Z', 'a', 'b', 'node_modules', 'node_modules/x']);
    await expect(walkTree(join(root, 'missing'), {}, {})).rejects.toThrow(/ENOENT/);
  });
});

describe('chart discovery', () => {
  it('chart directories below a root skip charts/, templates/, node_modules and hidden folders', async () => {
    expect(await chartDirsBelow(root)).toEqual([join(root, 'a'), join(root, 'b')]);
    const byName = await findChartsByName([root]);
    expect([...byName.keys()]).toEqual(['alpha', 'beta']);
    expect(byName.get('beta')).toEqual([{ dir: join(root, 'b'), version: '1.2.3' }]);
  });
  it('resolveChartDirs: plain paths as given (a Chart.yaml names its folder), globs expanded, input order, no duplicates', async () => {
    expect(await resolveChartDirs(['b/Chart.yaml', '*', 'a'], root)).toEqual([join(root, 'b'), join(root, 'a')]);
    expect(await resolveChartDirs(['**/Chart.yaml'], root)).toEqual([join(root, 'a'), join(root, 'b')]);
  });
  it('resolveChartDirs: one KxError naming the input', async () => {
    const missing = await resolveChartDirs(['nope'], root).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(KxError);
    expect((missing as KxError).message).toBe('chart directory nope does not exist');
    await expect(resolveChartDirs(['Z'], root)).rejects.toThrow('Z is not a chart directory (no Chart.yaml)');
    await expect(resolveChartDirs(['x*/'], root)).rejects.toThrow(/the pattern "x\*\/" matches no chart directory/);
  });
});

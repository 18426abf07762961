// Tests of the charts/ assembly of the collection image (no daemon needed): the chart engine's
// dependency update on a staged copy, given archives, missing charts, and error locations that point
// at the user's original dependency file.
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KxAggregateError, KxError, withTempDir } from '@kaapana-ext/core';
import {
  checkDependenciesDeep,
  loadArchive,
  loadFiles,
  packageChart,
  writeChartArchive,
  type ChartFile,
} from '@kaapana-ext/core/chart';
import { archiveIdentity, assembleCharts, readDependencyList, versionMatches } from '@kaapana-ext/core/collection';

async function chart(dir: string, name: string, version: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'Chart.yaml'), `apiVersion: v1\nname: ${name}\nversion: ${version}\n`);
  return dir;
}

/** Every file of a chart directory as the loader takes them (to write an archive without the dependency check). */
async function loadArchiveFilesOf(dir: string): Promise<ChartFile[]> {
  const out: ChartFile[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) {
      const full = join(e.parentPath, e.name);
      out.push({ name: full.slice(dir.length + 1), data: await readFile(full) });
    }
  }
  return out;
}

/** Original collection + its staged copy, as buildCollectionImage prepares them. */
async function setup(root: string, requirements: string) {
  const collectionDir = join(root, 'tree/collections/kaapana-collection');
  await mkdir(collectionDir, { recursive: true });
  await writeFile(
    join(collectionDir, 'Chart.yaml'),
    'apiVersion: v1\nname: kaapana-extension-collection\nversion: 0.1.0\n',
  );
  const file = join(collectionDir, 'requirements.yaml');
  await writeFile(file, requirements);
  const stageDir = join(root, 'stage/kaapana-collection');
  await mkdir(join(root, 'stage'), { recursive: true });
  await cp(collectionDir, stageDir, { recursive: true });
  return {
    collectionDir,
    stageDir,
    file,
    stagedDependencyFile: join(stageDir, 'requirements.yaml'),
    dependencies: readDependencyList(requirements, file),
  };
}

describe('assembleCharts', () => {
  it('packages file:// dependencies relative to the original collection dir, copies given archives, leaves the original alone', async () => {
    await withTempDir('kx-assemble', async (root) => {
      await chart(join(root, 'tree/services/a-chart'), 'a-chart', '1.2.0');
      const extDir = await chart(join(root, 'ext/my-ext'), 'my-ext', '0.3.0');
      const archive = (await packageChart(extDir, { destination: join(root, 'out') })).path;
      const req =
        '---\ndependencies:\n  - name: a-chart\n    version: 1.2.0\n    repository: file://../../services/a-chart \n  - name: my-ext\n    version: 0.3.0\n    repository: file://../../nowhere\n';
      const s = await setup(root, req);
      const r = await assembleCharts({ ...s, dependencyFile: s.file, archives: [archive] });
      expect(r.charts.map((c) => [c.name, c.version, c.source])).toEqual([
        ['a-chart', '1.2.0', 'file'],
        ['my-ext', '0.3.0', 'archive'],
      ]);
      expect((await readdir(join(s.stageDir, 'charts'))).sort()).toEqual(['a-chart-1.2.0.tgz', 'my-ext-0.3.0.tgz']);
      expect((await loadArchive(join(s.stageDir, 'charts/a-chart-1.2.0.tgz'))).metadata.name).toBe('a-chart');
      expect(await readFile(s.file, 'utf8')).toBe(req);
      expect(await readdir(s.collectionDir)).toEqual(['Chart.yaml', 'requirements.yaml']);
    });
  });

  it('finds name-only dependencies (0.6.0) in the search paths; 0.0.0 takes the platform version', async () => {
    await withTempDir('kx-assemble', async (root) => {
      await chart(join(root, 'tree/apps/b-chart'), 'b-chart', '0.0.0');
      const s = await setup(root, '---\ndependencies:\n  - name: b-chart\n    version: 0.0.0\n');
      const r = await assembleCharts({
        ...s,
        dependencyFile: s.file,
        searchPaths: [join(root, 'tree')],
        platformVersion: '0.6.0',
      });
      expect(r.charts.map((c) => `${c.name}-${c.version}:${c.source}`)).toEqual(['b-chart-0.6.0:search-path']);
    });
  });

  it('missing charts: every one reported on its line of the original file, or dropped with warn', async () => {
    await withTempDir('kx-assemble', async (root) => {
      const req =
        '---\ndependencies:\n  - name: x-chart\n    version: 1.0.0\n    repository: file://../../gone\n  - name: y-chart\n    version: 0.0.0\n';
      const s = await setup(root, req);
      const e = await assembleCharts({ ...s, dependencyFile: s.file, searchPaths: [join(root, 'tree')] }).catch(
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(KxAggregateError);
      expect((e as KxAggregateError).errors.map((x) => [x.file, x.line])).toEqual([
        [s.file, 3],
        [s.file, 6],
      ]);
      const warnings: string[] = [];
      const r = await assembleCharts({
        ...s,
        dependencyFile: s.file,
        missing: 'warn',
        onWarning: (w) => warnings.push(w),
      });
      expect(r.charts).toEqual([]);
      expect(r.missing.map((d) => d.name)).toEqual(['x-chart', 'y-chart']);
      expect(warnings).toHaveLength(2);
    });
  });

  it('a chart whose version does not satisfy the listed one: the engine error, on the original file and line', async () => {
    await withTempDir('kx-assemble', async (root) => {
      await chart(join(root, 'tree/services/a-chart'), 'a-chart', '2.0.0');
      const s = await setup(
        root,
        '---\ndependencies:\n  - name: other\n    version: 1.0.0\n    repository: https://charts.invalid\n  - name: a-chart\n    version: 1.2.0\n    repository: file://../../services/a-chart\n',
      );
      const e = await assembleCharts({ ...s, dependencies: s.dependencies.slice(1), dependencyFile: s.file }).catch(
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(KxError);
      expect((e as KxError).message).toMatch(/can't get a valid version .*"a-chart"/);
      expect((e as KxError).file).toBe(s.file);
      expect((e as KxError).line).toBe(6);
      expect((e as KxError).message).not.toContain(s.stageDir);
    });
  });

  it('an archive whose version differs from the listed one is an error on that line', async () => {
    await withTempDir('kx-assemble', async (root) => {
      const archive = (
        await packageChart(await chart(join(root, 'ext/my-ext'), 'my-ext', '0.4.0'), { destination: join(root, 'out') })
      ).path;
      const s = await setup(root, '---\ndependencies:\n  - name: my-ext\n    version: 0.3.0\n');
      await expect(assembleCharts({ ...s, dependencyFile: s.file, archives: [archive] })).rejects.toMatchObject({
        line: 3,
        file: s.file,
      });
    });
  });

  it('archive names and version matching', () => {
    expect(archiveIdentity('/x/example-threshold-segmentation-workflow-0.1.0.tgz')).toEqual({
      name: 'example-threshold-segmentation-workflow',
      version: '0.1.0',
    });
    expect(archiveIdentity('a-b-1.0.0-rc.1.tgz')).toEqual({ name: 'a-b', version: '1.0.0-rc.1' });
    expect(() => archiveIdentity('chart.tgz')).toThrow(KxError);
    expect(versionMatches('0.0.0', '0.6.0')).toBe(true);
    expect(versionMatches('^1.0.0', '1.4.0')).toBe(true);
    expect(versionMatches('1.0.0', '1.0.1')).toBe(false);
  });

  it('each chart carries its own dependencies, recursively (0.1.3 radiomics-workflow-like: charts/dag-installer-chart inside); the tree is not written', async () => {
    await withTempDir('kx-14-assemble', async (root) => {
      const dag = await chart(
        join(root, 'tree/services/utils/dag-installer/dag-installer-chart'),
        'dag-installer-chart',
        '0.1.0',
      );
      await writeFile(
        join(dag, 'requirements.yaml'),
        '---\ndependencies:\n  - name: kaapana-library-chart\n    version: 0.1.0\n    repository: file://../../../lib/kaapana-library-chart\n',
      );
      await chart(join(root, 'tree/services/lib/kaapana-library-chart'), 'kaapana-library-chart', '0.1.0');
      const wf = await chart(
        join(root, 'tree/data-processing/processing-pipelines/radiomics/extension/radiomics-workflow'),
        'radiomics-workflow',
        '0.1.0',
      );
      await writeFile(
        join(wf, 'requirements.yaml'),
        '---\ndependencies:\n  - name: dag-installer-chart\n    version: "0.1.0"\n    repository: file://../../../../../services/utils/dag-installer/dag-installer-chart/\n',
      );
      const s = await setup(
        root,
        '---\ndependencies:\n  - name: radiomics-workflow\n    version: 0.1.0\n    repository: file://../../data-processing/processing-pipelines/radiomics/extension/radiomics-workflow\n',
      );
      const r = await assembleCharts({ ...s, dependencyFile: s.file });
      const packed = await loadArchive(r.charts[0]!.file);
      expect(packed.dependencies.map((c) => c.metadata.name)).toEqual(['dag-installer-chart']);
      expect(packed.dependencies[0]!.dependencies.map((c) => c.metadata.name)).toEqual(['kaapana-library-chart']);
      expect(() => checkDependenciesDeep(packed)).not.toThrow();
      expect((await readdir(wf)).sort()).toEqual(['Chart.yaml', 'requirements.yaml']);
      expect((await readdir(dag)).sort()).toEqual(['Chart.yaml', 'requirements.yaml']);
    });
  });

  it('a nested dependency without a chart, a dependency cycle, and a given archive without its dependency are errors', async () => {
    await withTempDir('kx-14-assemble', async (root) => {
      const wf = await chart(join(root, 'tree/wf'), 'wf', '0.1.0');
      await writeFile(
        join(wf, 'requirements.yaml'),
        'dependencies:\n  - name: dag-installer-chart\n    version: 0.1.0\n    repository: file://../gone\n',
      );
      const s = await setup(
        root,
        '---\ndependencies:\n  - name: wf\n    version: 0.1.0\n    repository: file://../../wf\n',
      );
      await expect(assembleCharts({ ...s, dependencyFile: s.file })).rejects.toThrow(/gone not found/);
      const a = await chart(join(root, 'tree/a'), 'a', '0.1.0');
      const b = await chart(join(root, 'tree/b'), 'b', '0.1.0');
      await writeFile(
        join(a, 'requirements.yaml'),
        'dependencies:\n  - name: b\n    version: 0.1.0\n    repository: file://../b\n',
      );
      await writeFile(
        join(b, 'requirements.yaml'),
        'dependencies:\n  - name: a\n    version: 0.1.0\n    repository: file://../a\n',
      );
      const c = await setup(
        join(root, 'c'),
        '---\ndependencies:\n  - name: a\n    version: 0.1.0\n    repository: file://../../../../tree/a\n',
      );
      await expect(assembleCharts({ ...c, dependencyFile: c.file })).rejects.toThrow(/cycle/);
      // an archive that declares a dependency it does not carry is refused before anything is built
      await writeFile(
        join(wf, 'requirements.yaml'),
        'dependencies:\n  - name: dag-installer-chart\n    version: 0.1.0\n',
      );
      await mkdir(join(root, 'bare/wf'), { recursive: true });
      await cp(wf, join(root, 'bare/wf'), { recursive: true });
      const files = await loadArchiveFilesOf(join(root, 'bare/wf'));
      const bare = join(root, 'out/wf-0.1.0.tgz');
      await mkdir(join(root, 'out'), { recursive: true });
      await writeFile(bare, await writeChartArchive(await loadFiles(files, join(root, 'bare/wf'))));
      const w = await setup(join(root, 'w'), '---\ndependencies:\n  - name: wf\n    version: 0.1.0\n');
      const e = await assembleCharts({ ...w, dependencyFile: w.file, archives: [bare] }).catch((err: unknown) => err);
      expect(e).toMatchObject({ file: bare });
      expect((e as KxError).message).toMatch(
        /wf-0\.1\.0: found in .*missing in charts\/ directory: dag-installer-chart/,
      );
    });
  });
});

// Tests of the on-disk edit of the collection's dependency list against copies of Kaapana's two
// reference collections (0.1.x with file:// repositories, 0.6.0 without) and expected files.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, stat, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KxError, withTempDir } from '@kaapana-ext/core';
import { updateCollectionDependency } from '@kaapana-ext/core/collection';

const testdata = fileURLToPath(new URL('./testdata/', import.meta.url));
const EXT_REL =
  'templates_and_examples/examples/processing-pipelines/threshold-segmentation/extension/threshold-segmentation-workflow';

/** A Kaapana-like tree: collections/kaapana-collection (fixture `v`) and the example extension chart. */
async function kaapanaTree(root: string, v: 'v0.1.x' | 'v0.6.0') {
  const collectionDir = join(root, 'collections/kaapana-collection');
  const chartDir = join(root, EXT_REL);
  await mkdir(collectionDir, { recursive: true });
  await cp(join(testdata, v, 'kaapana-collection'), collectionDir, { recursive: true });
  await mkdir(chartDir, { recursive: true });
  await cp(join(testdata, 'threshold-segmentation-workflow'), chartDir, { recursive: true });
  return { collectionDir, chartDir, requirements: join(collectionDir, 'requirements.yaml') };
}

const expected = (p: string) => readFile(join(testdata, 'expected', p), 'utf8');

describe('updateCollectionDependency on the reference collections', () => {
  it('0.1.x: adds the extension with a computed relative file:// repository, byte for byte', async () => {
    await withTempDir('kx-coll', async (root) => {
      const t = await kaapanaTree(root, 'v0.1.x');
      const r = await updateCollectionDependency({
        collectionDir: t.collectionDir,
        chartDir: t.chartDir,
        displayRoot: root,
      });
      expect(r).toMatchObject({
        apiVersion: 'v1',
        action: 'added',
        changed: true,
        collectionName: 'kaapana-extension-collection',
        collectionVersion: '0.1.0',
        displayPath: 'collections/kaapana-collection/requirements.yaml',
        entry: {
          name: 'example-threshold-segmentation-workflow',
          version: '0.1.0',
          repository: `file://../../${EXT_REL}`,
        },
      });
      expect(await readFile(t.requirements, 'utf8')).toBe(await expected('v0.1.x/requirements.yaml'));
      expect(r.diff).toContain('--- a/collections/kaapana-collection/requirements.yaml');
      expect(r.diff).toContain('+++ b/collections/kaapana-collection/requirements.yaml');
      expect(r.diff).toContain('+  - name: example-threshold-segmentation-workflow\n+    version: 0.1.0\n');
      expect(r.diff.split('\n').filter((l) => /^[-+](?![-+])/.test(l))).toHaveLength(3);
      // the diff is a patch git applies to the original file
      await mkdir(join(root, 'patched/collections/kaapana-collection'), { recursive: true });
      await cp(
        join(testdata, 'v0.1.x/kaapana-collection/requirements.yaml'),
        join(root, 'patched/collections/kaapana-collection/requirements.yaml'),
      );
      await writeFile(join(root, 'change.patch'), r.diff);
      execFileSync('git', ['apply', '--unsafe-paths', '--directory=patched', join(root, 'change.patch')], {
        cwd: root,
      });
      expect(await readFile(join(root, 'patched/collections/kaapana-collection/requirements.yaml'), 'utf8')).toBe(
        await expected('v0.1.x/requirements.yaml'),
      );
      // the stray trailing space after the tensorboard repository survives
      expect(await readFile(t.requirements, 'utf8')).toContain('tensorboard/tensorboard-chart \n');
    });
  });

  it('0.6.0: adds the extension without repository after the commented-out examples', async () => {
    await withTempDir('kx-coll', async (root) => {
      const t = await kaapanaTree(root, 'v0.6.0');
      const r = await updateCollectionDependency({
        collectionDir: t.collectionDir,
        chartDir: t.chartDir,
        displayRoot: root,
      });
      expect(r.entry).toEqual({ name: 'example-threshold-segmentation-workflow', version: '0.1.0' });
      expect(r.collectionVersion).toBe('0.0.0');
      const text = await readFile(t.requirements, 'utf8');
      expect(text).toBe(await expected('v0.6.0/requirements.yaml'));
      expect(text).toContain('  #### EXAMPLE WORKFLOWS ####\n  # - name: otsus-method-workflow\n');
    });
  });

  it('is idempotent: a second run reports changed=false and leaves the bytes (and the file) alone', async () => {
    for (const v of ['v0.1.x', 'v0.6.0'] as const) {
      await withTempDir('kx-coll', async (root) => {
        const t = await kaapanaTree(root, v);
        await updateCollectionDependency({ collectionDir: t.collectionDir, chartDir: t.chartDir });
        const first = await readFile(t.requirements);
        const inode = (await stat(t.requirements)).ino;
        const again = await updateCollectionDependency({ collectionDir: t.collectionDir, chartDir: t.chartDir });
        expect(again).toMatchObject({ changed: false, action: 'unchanged', diff: '', previousVersion: '0.1.0' });
        expect(await readFile(t.requirements)).toEqual(first);
        expect((await stat(t.requirements)).ino).toBe(inode);
      });
    }
  });

  it('updates the version of an existing entry and keeps its quoting', async () => {
    await withTempDir('kx-coll', async (root) => {
      const t = await kaapanaTree(root, 'v0.1.x');
      const r = await updateCollectionDependency({
        collectionDir: t.collectionDir,
        name: 'kaapana-plugin-chart',
        version: '0.2.0',
      });
      expect(r).toMatchObject({ action: 'updated', previousVersion: '0.1.1', changed: true });
      // auto repository: existing entries use file://, but an existing entry's repository is kept
      expect(await readFile(t.requirements, 'utf8')).toBe(await expected('v0.1.x/requirements-plugin-0.2.0.yaml'));
    });
  });

  it('an explicit repository style wins over the existing entries', async () => {
    await withTempDir('kx-coll', async (root) => {
      const t = await kaapanaTree(root, 'v0.6.0');
      const r = await updateCollectionDependency({
        collectionDir: t.collectionDir,
        chartDir: t.chartDir,
        repository: 'file',
      });
      expect(r.entry.repository).toBe(`file://../../${EXT_REL}`);
      const t2 = await kaapanaTree(join(root, 'b'), 'v0.1.x');
      const r2 = await updateCollectionDependency({
        collectionDir: t2.collectionDir,
        chartDir: t2.chartDir,
        repository: 'none',
      });
      expect(r2.entry.repository).toBeUndefined();
      expect(await readFile(t2.requirements, 'utf8')).toMatch(
        /openedc-chart\n {2}- name: example-threshold-segmentation-workflow\n {4}version: 0.1.0\n$/,
      );
    });
  });

  it('dryRun computes the diff but writes nothing', async () => {
    await withTempDir('kx-coll', async (root) => {
      const t = await kaapanaTree(root, 'v0.6.0');
      const before = await readFile(t.requirements);
      const r = await updateCollectionDependency({
        collectionDir: t.collectionDir,
        chartDir: t.chartDir,
        dryRun: true,
      });
      expect(r.changed).toBe(true);
      expect(r.diff).toContain('+  - name: example-threshold-segmentation-workflow');
      expect(await readFile(t.requirements)).toEqual(before);
    });
  });
});

describe('updateCollectionDependency on bad input', () => {
  async function collectionWith(root: string, requirements: string) {
    const dir = join(root, 'c');
    await mkdir(dir, { recursive: true });
    await cp(join(testdata, 'v0.6.0/kaapana-collection/Chart.yaml'), join(dir, 'Chart.yaml'));
    await writeFile(join(dir, 'requirements.yaml'), requirements);
    return dir;
  }

  async function expectKxError(p: Promise<unknown>): Promise<KxError> {
    const e = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(KxError);
    return e as KxError;
  }

  for (const [fixture, line, message] of [
    ['malformed.yaml', 7, /invalid YAML/],
    ['duplicate.yaml', 8, /duplicate dependency "a" \(first listed on line 3\)/],
    ['not-a-list.yaml', 3, /must be a list/],
  ] as const) {
    it(`${fixture}: one error naming the file and line ${line}, file untouched`, async () => {
      await withTempDir('kx-coll', async (root) => {
        const src = await readFile(join(testdata, 'bad', fixture), 'utf8');
        const dir = await collectionWith(root, src);
        const e = await expectKxError(updateCollectionDependency({ collectionDir: dir, name: 'x', version: '1.0.0' }));
        expect(e.file).toBe(join(dir, 'requirements.yaml'));
        expect(e.line).toBe(line);
        expect(e.message).toMatch(message);
        expect(await readFile(join(dir, 'requirements.yaml'), 'utf8')).toBe(src);
        expect((await readdir(dir)).sort()).toEqual(['Chart.yaml', 'requirements.yaml']);
      });
    });
  }

  it('rejects a version that is not semver, and names the extension Chart.yaml', async () => {
    await withTempDir('kx-coll', async (root) => {
      const dir = await collectionWith(root, '---\ndependencies:\n');
      const e = await expectKxError(updateCollectionDependency({ collectionDir: dir, name: 'x', version: '03-22' }));
      expect(e.message).toMatch(/not a semantic version/);
      const chart = join(root, 'ext');
      await mkdir(chart);
      await writeFile(join(chart, 'Chart.yaml'), 'apiVersion: v1\nname: ext\nversion: 1.0\n');
      const e2 = await expectKxError(updateCollectionDependency({ collectionDir: dir, chartDir: chart }));
      expect(e2.file).toBe(join(chart, 'Chart.yaml'));
    });
  });

  it('a collection without Chart.yaml is a KxError naming the missing file', async () => {
    await withTempDir('kx-coll', async (root) => {
      const e = await expectKxError(updateCollectionDependency({ collectionDir: root, name: 'x', version: '1.0.0' }));
      expect(e.file).toBe(join(root, 'Chart.yaml'));
    });
  });
});

describe('updateCollectionDependency on apiVersion v2 and odd layouts', () => {
  it('edits `dependencies` in a v2 Chart.yaml, keeping comments, quoting and the keys after it', async () => {
    await withTempDir('kx-coll', async (root) => {
      const chart = [
        '# The collection (v2)',
        'apiVersion: v2',
        'name: my-collection',
        'version: "1.2.0"',
        'dependencies:',
        '- name: a-chart # first',
        "  version: '1.0.0'",
        '  repository: "file://../a"',
        '# keep me',
        'keywords: [x, y]',
        '',
      ].join('\n');
      await writeFile(join(root, 'Chart.yaml'), chart);
      const r = await updateCollectionDependency({
        collectionDir: root,
        name: 'ext',
        version: '2.0.0',
        repository: 'file://../ext',
      });
      expect(r.apiVersion).toBe('v2');
      expect(await readFile(join(root, 'Chart.yaml'), 'utf8')).toBe(
        chart.replace('# keep me', '- name: ext\n  version: \'2.0.0\'\n  repository: "file://../ext"\n# keep me'),
      );
    });
  });

  it('creates requirements.yaml for a v1 collection that has none, and keeps CRLF line endings', async () => {
    await withTempDir('kx-coll', async (root) => {
      await writeFile(join(root, 'Chart.yaml'), 'apiVersion: v1\nname: c\nversion: 0.1.0\n');
      await updateCollectionDependency({ collectionDir: root, name: 'ext', version: '0.1.0' });
      expect(await readFile(join(root, 'requirements.yaml'), 'utf8')).toBe(
        'dependencies:\n  - name: ext\n    version: 0.1.0\n',
      );
      const crlf = '---\r\ndependencies:\r\n  - name: a\r\n    version: 1.0.0\r\n';
      await writeFile(join(root, 'requirements.yaml'), crlf);
      await updateCollectionDependency({ collectionDir: root, name: 'ext', version: '0.1.0' });
      expect(await readFile(join(root, 'requirements.yaml'), 'utf8')).toBe(
        `${crlf}  - name: ext\r\n    version: 0.1.0\r\n`,
      );
    });
  });
});

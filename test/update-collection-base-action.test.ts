// The bundled action-update-collection in its base-collection mode, run like the GitHub runner runs
// it, against the real Docker engine and the registry on 127.0.0.1:5000: the platform's collection
// image (another extension in the 0.1.x copy directory) gets our chart, packed from its directory with
// its own dependency; the collection chart's list is edited (and put back when the build fails); the
// outputs feed restart-pod's expect-charts. Also: missing-charts warn names every dropped extension
// in the log (a ::warning::) and in the job summary.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withTempDir } from '@kaapana-ext/core';
import { listImageCharts } from '@kaapana-ext/core/collection';
import { loadArchive } from '@kaapana-ext/core/chart';
import { busyboxContext, removeImages } from './support/docker.js';
import { REGISTRY, uniqueName } from './support/registry.js';
import { runAction } from './support/run-action.js';
import { collectionFiles, makeChart, pushImage } from './kaapana-platform/fixtures.mjs';

const images: string[] = [];
afterAll(() => removeImages(images));

/** A 0.1.x-style tree: the collection chart, our workflow chart and the dag-installer chart it needs. */
async function tree(root: string): Promise<void> {
  const coll = join(root, 'collections/kaapana-collection');
  await mkdir(coll, { recursive: true });
  await writeFile(
    join(coll, 'Chart.yaml'),
    '---\napiVersion: v1\nversion: 0.1.0\nname: kaapana-extension-collection\n',
  );
  await writeFile(join(coll, 'requirements.yaml'), '---\n# extensions\ndependencies: []\n');
  const dag = join(root, 'services/dag-installer-chart');
  await mkdir(dag, { recursive: true });
  await writeFile(join(dag, 'Chart.yaml'), '---\napiVersion: v1\nname: dag-installer-chart\nversion: 0.1.0\n');
  const wf = join(root, 'extension/kx14-wf');
  await mkdir(wf, { recursive: true });
  await writeFile(
    join(wf, 'Chart.yaml'),
    '---\napiVersion: v1\nname: kx14-wf\nversion: 0.2.0\nkeywords: [kaapanaworkflow]\n',
  );
  await writeFile(
    join(wf, 'requirements.yaml'),
    '---\ndependencies:\n  - name: dag-installer-chart\n    version: 0.1.0\n    repository: file://../../services/dag-installer-chart\n',
  );
}

describe('action-update-collection: base-collection', () => {
  it("adds our chart (packed with its dependency) to the platform's image, keeps the other extension, edits the list", async () => {
    await withTempDir('kx-14-base-action', async (root) => {
      await tree(root);
      const base = `${REGISTRY}/${uniqueName('kx14-platform')}/kaapana-extension-collection:kp_0.1.3__0.1.0`;
      const other = await makeChart({ name: 'other-app-chart', version: '1.0.0', keywords: ['kaapanaapplication'] });
      await pushImage(base, collectionFiles('0.1.x', { 'other-app-chart-1.0.0.tgz': other }));
      const registry = `${REGISTRY}/${uniqueName('kx14-ours')}`;
      const run = await runAction(
        'action-update-collection',
        { 'base-collection': base, chart: 'extension/kx14-wf', registry },
        { cwd: root },
      );
      images.push(`${registry}/kaapana-extension-collection:kp_0.1.3__0.1.0`, base);
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.outputs).toMatchObject({
        image: `${registry}/kaapana-extension-collection`,
        tag: 'kp_0.1.3__0.1.0',
        changed: 'true',
        file: 'collections/kaapana-collection/requirements.yaml',
        'expect-charts': '["kx14-wf-0.2.0"]',
      });
      expect(JSON.parse(run.outputs.charts!)).toEqual(['tmp/kx14-wf-0.2.0.tgz', 'tmp/other-app-chart-1.0.0.tgz']);
      expect(run.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      const back = await listImageCharts(`${registry}/kaapana-extension-collection:kp_0.1.3__0.1.0`);
      const ours = await loadArchive(back.data['tmp/kx14-wf-0.2.0.tgz']!, 'kx14-wf-0.2.0.tgz');
      expect(ours.dependencies.map((d) => d.metadata.name)).toEqual(['dag-installer-chart']);
      expect(await readFile(join(root, 'collections/kaapana-collection/requirements.yaml'), 'utf8')).toContain(
        'name: kx14-wf',
      );
      expect(run.summary).toContain('## Kaapana extension collection (base-collection)');
      expect(run.summary).toContain('1 chart archive(s) in `/tmp/`, all kept');
    });
  });

  it('a base that does not exist fails naming it, and the edited list is put back', async () => {
    await withTempDir('kx-14-base-action', async (root) => {
      await tree(root);
      const file = join(root, 'collections/kaapana-collection/requirements.yaml');
      const before = await readFile(file, 'utf8');
      const base = `${REGISTRY}/${uniqueName('kx14-none')}/kaapana-extension-collection:0.6.0`;
      const run = await runAction(
        'action-update-collection',
        { 'base-collection': base, chart: 'extension/kx14-wf' },
        { cwd: root },
      );
      expect(run.exitCode).not.toBe(0);
      expect(run.stdout).toContain(`base-collection ${base} cannot be read from its registry`);
      expect(await readFile(file, 'utf8')).toBe(before);
    });
  });

  it('missing-charts warn: the log and the job summary name every extension left out', async () => {
    await withTempDir('kx-14-warn-action', async (root) => {
      await tree(root);
      await busyboxContext(
        join(root, 'services/base-charts-manager'),
        'FROM scratch\nLABEL REGISTRY="local-only"\nLABEL IMAGE="base-charts-manager"\nLABEL VERSION="0.1.0"\nCOPY busybox /bin/busybox\n',
      );
      const coll = join(root, 'collections/kaapana-collection');
      await writeFile(
        join(coll, 'Dockerfile'),
        'FROM local-only/base-charts-manager:0.1.0\nLABEL IMAGE="kaapana-extension-collection"\nLABEL VERSION="0.1.0"\nCOPY charts/*.tgz /tmp/\n',
      );
      await writeFile(
        join(coll, 'requirements.yaml'),
        '---\ndependencies:\n  - name: gone-one\n    version: 1.0.0\n    repository: file://../../services/gone-one\n  - name: gone-two\n    version: 2.0.0\n    repository: file://../../services/gone-two\n',
      );
      const registry = `${REGISTRY}/${uniqueName('kx14-warn')}`;
      const run = await runAction(
        'action-update-collection',
        {
          chart: 'extension/kx14-wf',
          registry,
          'tag-style': 'kp',
          'platform-version': '0.1.3',
          'missing-charts': 'warn',
          context: '.',
        },
        { cwd: root },
      );
      images.push(`${registry}/kaapana-extension-collection:kp_0.1.3__0.1.0`, 'local-only/base-charts-manager:0.1.0');
      expect(run.exitCode, run.stdout).toBe(0);
      const warning = run.stdout.split('\n').find((l) => l.startsWith('::warning') && l.includes('loses them'));
      expect(warning).toContain('gone-one 1.0.0, gone-two 2.0.0');
      expect(run.summary).toContain('2 extension(s) of the collection are NOT in this image');
      expect(run.summary).toContain('`gone-one 1.0.0`, `gone-two 2.0.0`');
    });
  });
});

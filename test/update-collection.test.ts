// Integration tests of the collection update against the real Docker engine and the registry on
// 127.0.0.1: edit the dependency list, assemble charts/, build the collection image FROM a local-only
// busybox base (from the tree, or from a base-images mapping), push it, and read the pushed image
// back to check the chart archives it carries.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KxError, withTempDir } from '@kaapana-ext/core';
import { packageChart } from '@kaapana-ext/core/chart';
import { buildCollectionImage, listImageCharts, updateCollectionDependency } from '@kaapana-ext/core/collection';
import { busyboxContext, dockerAvailable, removeImages } from './support/docker.js';
import { REGISTRY, registryAvailable, uniqueName } from './support/registry.js';
import { needService } from './support/services.js';
import { installCheck } from './kaapana-platform/index.mjs';
import { workflowChart } from './kaapana-platform/fixtures.mjs';

const fixtures = fileURLToPath(new URL('../packages/core/test/collection/testdata/', import.meta.url));
const EXT = 'example-threshold-segmentation-workflow';
const ready = needService(
  'dockerd or the registry on 127.0.0.1:5000',
  dockerAvailable() && (await registryAvailable()),
  import.meta.url,
);
const images: string[] = [];

async function chart(dir: string, name: string, version: string, extra: Record<string, string> = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'Chart.yaml'),
    `apiVersion: v1\nname: ${name}\nversion: ${version}\ndescription: ${name}\n`,
  );
  await writeFile(join(dir, 'values.yaml'), 'global:\n  action: copy\n');
  for (const [f, text] of Object.entries(extra)) {
    await mkdir(join(dir, f, '..'), { recursive: true });
    await writeFile(join(dir, f), text);
  }
  return dir;
}

/** A Kaapana 0.1.x-like tree: base-charts-manager stand-in, a chart already listed, the collection, the extension. */
async function tree01(root: string) {
  await busyboxContext(
    join(root, 'services/utils/base-charts-manager'),
    'FROM scratch\nLABEL REGISTRY="local-only"\nLABEL IMAGE="base-charts-manager"\nLABEL VERSION="0.1.0"\nCOPY busybox /bin/busybox\n',
  );
  await chart(join(root, 'services/applications/hello/hello-chart'), 'hello-chart', '1.0.0');
  const collectionDir = join(root, 'collections/kaapana-collection');
  await mkdir(collectionDir, { recursive: true });
  await cp(join(fixtures, 'v0.1.x/kaapana-collection/Chart.yaml'), join(collectionDir, 'Chart.yaml'));
  await cp(join(fixtures, 'v0.1.x/kaapana-collection/Dockerfile'), join(collectionDir, 'Dockerfile'));
  await writeFile(
    join(collectionDir, 'requirements.yaml'),
    '---\n# extensions of this platform\ndependencies:\n  - name: hello-chart\n    version: 1.0.0\n    repository: file://../../services/applications/hello/hello-chart\n',
  );
  const chartDir = await chart(
    join(root, 'templates_and_examples/threshold-segmentation/extension', EXT),
    EXT,
    '0.1.0',
    {
      'templates/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: otsu\n',
    },
  );
  return { collectionDir, chartDir };
}

describe.skipIf(!ready)('collection image on the real registry', () => {
  const registry = `${REGISTRY}/${uniqueName('kx-coll')}`;

  beforeAll(() => {
    execFileSync('docker', ['version'], { stdio: 'pipe' });
  });
  afterAll(() => removeImages(images));

  it('0.1.x: adds the extension, builds FROM the tree base, pushes kp_0.1.3__0.1.0 and finds the charts in the pushed image', async () => {
    await withTempDir('kx-coll-it', async (root) => {
      const t = await tree01(root);
      const edit = await updateCollectionDependency({ collectionDir: t.collectionDir, chartDir: t.chartDir });
      expect(edit).toMatchObject({
        changed: true,
        entry: { repository: `file://../../templates_and_examples/threshold-segmentation/extension/${EXT}` },
      });
      const progress: string[] = [];
      const r = await buildCollectionImage({
        collectionDir: t.collectionDir,
        context: root,
        registry,
        tagStyle: 'kp',
        platformVersion: '0.1.3',
        expectCharts: [`${EXT}-0.1.0.tgz`],
        onProgress: (m) => progress.push(m),
      });
      images.push(r.ref, 'local-only/base-charts-manager:0.1.0', 'local-only/base-charts-manager:latest');
      expect(r.tag).toBe('kp_0.1.3__0.1.0');
      expect(r.image).toBe(`${registry}/kaapana-extension-collection`);
      expect(r.ref).toBe(`${registry}/kaapana-extension-collection:kp_0.1.3__0.1.0`);
      expect(r.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(r.imageCharts).toEqual([`tmp/${EXT}-0.1.0.tgz`, 'tmp/hello-chart-1.0.0.tgz']);
      expect(r.charts.map((c) => c.source)).toEqual(['file', 'file']);
      // read back independently, by digest
      const back = await listImageCharts(`${r.image}@${r.digest}`);
      expect(back.charts).toEqual(r.imageCharts);
      // the working tree holds only the requirements change: no charts/ left behind
      expect((await readdir(t.collectionDir)).sort()).toEqual(['Chart.yaml', 'Dockerfile', 'requirements.yaml']);
      expect(r.build?.results.find((x) => x.name === 'base-charts-manager')?.status).toBe('built-only');
      expect(r.skipped).toBe(false);
    });
  });

  it('0.6.0: base from a base-images mapping, charts by name and from a given archive, platform tag', async () => {
    await withTempDir('kx-coll-it', async (root) => {
      // a pullable base-installer stand-in in the registry
      const baseRef = `${registry}/base-installer:0.6.0`;
      const baseCtx = await busyboxContext(join(root, 'base'), 'FROM scratch\nCOPY busybox /bin/busybox\n');
      execFileSync('docker', ['build', '-q', '-t', baseRef, baseCtx], {
        stdio: 'pipe',
        env: { ...process.env, DOCKER_BUILDKIT: '0' },
      });
      execFileSync('docker', ['push', baseRef], { stdio: 'pipe' });
      images.push(baseRef, 'local-only/base-installer:latest');

      const tree = join(root, 'tree');
      await chart(join(tree, 'services/code-server-chart'), 'code-server-chart', '0.6.0');
      const collectionDir = join(tree, 'collections/kaapana-collection');
      await mkdir(collectionDir, { recursive: true });
      await cp(join(fixtures, 'v0.6.0/kaapana-collection/Chart.yaml'), join(collectionDir, 'Chart.yaml'));
      await cp(join(fixtures, 'v0.6.0/kaapana-collection/Dockerfile'), join(collectionDir, 'Dockerfile'));
      await writeFile(
        join(collectionDir, 'requirements.yaml'),
        '---\ndependencies:\n  - name: code-server-chart\n    version: 0.0.0\n  # - name: openedc-chart\n  #   version: 0.0.0\n',
      );
      // the extension comes as an archive (as package-chart would hand it over)
      const extDir = await chart(join(root, 'ext', EXT), EXT, '0.1.0');
      const archive = (await packageChart(extDir, { destination: join(root, 'out') })).path;

      const edit = await updateCollectionDependency({ collectionDir, name: EXT, version: '0.1.0' });
      expect(edit.entry.repository).toBeUndefined();
      expect(await readFile(join(collectionDir, 'requirements.yaml'), 'utf8')).toBe(
        '---\ndependencies:\n  - name: code-server-chart\n    version: 0.0.0\n  # - name: openedc-chart\n  #   version: 0.0.0\n  - name: example-threshold-segmentation-workflow\n    version: 0.1.0\n',
      );
      const r = await buildCollectionImage({
        collectionDir,
        context: tree,
        registry,
        tagStyle: 'platform',
        platformVersion: '0.6.0',
        baseImages: { 'local-only/base-installer:latest': baseRef },
        archives: [archive],
      });
      images.push(r.ref);
      expect(r.ref).toBe(`${registry}/kaapana-extension-collection:0.6.0`);
      expect(r.imageCharts).toEqual([
        'kaapana/tmp/extensions/code-server-chart-0.6.0.tgz',
        `kaapana/tmp/extensions/${EXT}-0.1.0.tgz`,
      ]);
      expect(r.charts.map((c) => `${c.name}:${c.source}`)).toEqual(['code-server-chart:search-path', `${EXT}:archive`]);
    });
  });

  it('skipExisting: an existing tag with byte-identical charts is not rebuilt; a changed chart is', async () => {
    await withTempDir('kx-coll-it', async (root) => {
      const t = await tree01(root);
      await updateCollectionDependency({ collectionDir: t.collectionDir, chartDir: t.chartDir });
      const opts = {
        collectionDir: t.collectionDir,
        context: root,
        registry: `${registry}/skip`,
        tagStyle: 'kp' as const,
        platformVersion: '0.1.3',
        skipExisting: true,
      };
      const first = await buildCollectionImage(opts);
      images.push(first.ref);
      expect(first.skipped).toBe(false);
      const again = await buildCollectionImage(opts);
      expect(again).toMatchObject({ skipped: true, digest: first.digest, imageCharts: first.imageCharts });
      expect(again.build).toBeUndefined();
      // same versions, different content: rebuilt and pushed again
      await writeFile(join(root, 'services/applications/hello/hello-chart/values.yaml'), 'global:\n  action: remove\n');
      const changed = await buildCollectionImage(opts);
      expect(changed.skipped).toBe(false);
      expect(changed.digest).not.toBe(first.digest);
    });
  });

  it('fails when the pushed image does not carry the extension archive', async () => {
    await withTempDir('kx-coll-it', async (root) => {
      const t = await tree01(root);
      await updateCollectionDependency({ collectionDir: t.collectionDir, chartDir: t.chartDir });
      // a Dockerfile that only copies some charts
      await writeFile(
        join(t.collectionDir, 'Dockerfile'),
        'FROM local-only/base-charts-manager:0.1.0\nLABEL IMAGE="kaapana-extension-collection"\nLABEL VERSION="0.1.0"\nCOPY charts/hello-*.tgz /tmp/\n',
      );
      const err = await buildCollectionImage({
        collectionDir: t.collectionDir,
        context: root,
        registry: `${registry}/bad`,
        tagStyle: 'kp',
        platformVersion: '0.1.3',
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      images.push(`${registry}/bad/kaapana-extension-collection:kp_0.1.3__0.1.0`);
      expect(err).toBeInstanceOf(KxError);
      expect((err as KxError).message).toMatch(new RegExp(`does not carry ${EXT}-0\\.1\\.0\\.tgz`));
      expect((err as KxError).file).toBe(join(t.collectionDir, 'Dockerfile'));
    });
  });

  it('a dependency without a chart is one error naming requirements.yaml and its line; nothing is built', async () => {
    await withTempDir('kx-coll-it', async (root) => {
      const t = await tree01(root);
      await writeFile(
        join(t.collectionDir, 'requirements.yaml'),
        '---\ndependencies:\n  - name: hello-chart\n    version: 1.0.0\n    repository: file://../../services/applications/hello/hello-chart\n  - name: gone-chart\n    version: 1.0.0\n    repository: file://../../services/gone\n',
      );
      const err = await buildCollectionImage({
        collectionDir: t.collectionDir,
        context: root,
        registry,
        tagStyle: 'kp',
        platformVersion: '0.1.3',
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(KxError);
      expect(err).toMatchObject({ file: join(t.collectionDir, 'requirements.yaml'), line: 6 });
      expect((err as KxError).message).toMatch(/no chart for dependency gone-chart 1\.0\.0/);
    });
  });

  it('read-back: a chart in the platform directory without its dependency is reported after the push; missing-charts warn lists what it drops', async () => {
    await withTempDir('kx-14-coll-deps', async (root) => {
      const t = await tree01(root);
      await writeFile(
        join(t.collectionDir, 'requirements.yaml'),
        '---\ndependencies:\n  - name: hello-chart\n    version: 1.0.0\n    repository: file://../../services/applications/hello/hello-chart\n  - name: gone-chart\n    version: 2.0.0\n    repository: file://../../services/gone\n',
      );
      // A Dockerfile that also copies an archive declaring dag-installer-chart without carrying it.
      await mkdir(join(t.collectionDir, 'extra'), { recursive: true });
      await writeFile(
        join(t.collectionDir, 'extra', 'bare-wf-0.1.0.tgz'),
        await workflowChart('bare-wf', '0.1.0', false),
      );
      await writeFile(
        join(t.collectionDir, 'Dockerfile'),
        'FROM local-only/base-charts-manager:0.1.0\nLABEL IMAGE="kaapana-extension-collection"\nLABEL VERSION="0.1.0"\nCOPY charts/*.tgz /tmp/\nCOPY extra/*.tgz /tmp/\n',
      );
      const warnings: string[] = [];
      const err = await buildCollectionImage({
        collectionDir: t.collectionDir,
        context: root,
        registry: `${registry}/rb`,
        tagStyle: 'kp',
        platformVersion: '0.1.3',
        missing: 'warn',
        onWarning: (w) => warnings.push(w),
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      images.push(`${registry}/rb/kaapana-extension-collection:kp_0.1.3__0.1.0`);
      expect(warnings.join('\n')).toContain('gone-chart 2.0.0');
      expect(err).toBeInstanceOf(KxError);
      expect(String((err as Error).message)).toContain('carries chart archives the platform cannot install');
      expect(String((err as Error).message)).toContain(
        'bare-wf-0.1.0: found in Chart.yaml, but missing in charts/ directory: dag-installer-chart',
      );
    });
  });

  it("0.1.3 radiomics-workflow-like chart: its archive in the image carries charts/dag-installer-chart; the simulated platform's install check passes", async () => {
    await withTempDir('kx-14-coll-radiomics', async (root) => {
      const t = await tree01(root);
      await chart(join(root, 'services/utils/dag-installer/dag-installer-chart'), 'dag-installer-chart', '0.1.0');
      const wf = await chart(
        join(root, 'data-processing/processing-pipelines/radiomics/extension/radiomics-workflow'),
        'radiomics-workflow',
        '0.1.0',
        {
          'requirements.yaml':
            '---\ndependencies:\n  - name: dag-installer-chart\n    version: "0.1.0"\n    repository: file://../../../../../services/utils/dag-installer/dag-installer-chart/\n',
        },
      );
      await updateCollectionDependency({ collectionDir: t.collectionDir, chartDir: wf });
      const r = await buildCollectionImage({
        collectionDir: t.collectionDir,
        context: root,
        registry: `${registry}/radiomics`,
        tagStyle: 'kp',
        platformVersion: '0.1.3',
      });
      images.push(r.ref);
      expect(r.imageCharts).toContain('tmp/radiomics-workflow-0.1.0.tgz');
      const listed = await listImageCharts(r.ref);
      const data = listed.data['tmp/radiomics-workflow-0.1.0.tgz']!;
      const installed = await installCheck(data, 'radiomics-workflow-0.1.0.tgz');
      expect(installed.subcharts.map((c) => c.metadata.name)).toEqual(['dag-installer-chart']);
      expect((await readdir(wf)).sort()).toEqual(['Chart.yaml', 'requirements.yaml', 'values.yaml']);
    });
  });

  it('rejects bad versions before building: kp tag needs semver platform and collection versions', async () => {
    await withTempDir('kx-coll-it', async (root) => {
      const t = await tree01(root);
      await expect(
        buildCollectionImage({
          collectionDir: t.collectionDir,
          context: root,
          registry,
          tagStyle: 'kp',
          platformVersion: '0.1',
        }),
      ).rejects.toThrow(/platform version "0.1" is not a semantic version/);
      await expect(
        buildCollectionImage({ collectionDir: t.collectionDir, context: root, registry, tagStyle: 'kp' }),
      ).rejects.toThrow(/needs the platform version/);
    });
  });
});

// OCI round trip against the real registry on 127.0.0.1 (scripts/with-services.sh): push the seed's
// packaged chart with helm's media types and manifest layout, read the manifest back, pull it,
// skip-existing, oci:// dependencies, and fail-fast on auth errors.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HELM_CHART_LAYER_MEDIA_TYPE,
  HELM_CONFIG_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  loadArchive,
  packageChart,
  pullChart,
  pushChart,
  updateDependencies,
} from '@kaapana-ext/core/chart';
import { REGISTRY, registryAvailable, registryClient, uniqueName } from './support/registry.js';
import { needService } from './support/services.js';

const fixtures = join(import.meta.dirname, '..', 'packages/core/test/chart/testdata/kaapana');
const up = needService('the registry on 127.0.0.1:5000', await registryAvailable(), import.meta.url);
let tmp: string;
let archive: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kx-chart-oci-'));
  cpSync(fixtures, tmp, { recursive: true });
  archive = (
    await packageChart(join(tmp, 'threshold-segmentation-workflow'), {
      destination: join(tmp, 'out'),
      dependencyUpdate: true,
    })
  ).path;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!up)('OCI push/pull against the registry on 127.0.0.1', () => {
  it('pushes with helm media types and reads the same bytes back', async () => {
    const path = uniqueName('kx-charts');
    const url = `oci://${REGISTRY}/${path}`;
    const pushed = await pushChart(archive, url);
    expect(pushed.status).toBe('pushed');
    expect(pushed.ref).toBe(`${REGISTRY}/${path}/example-threshold-segmentation-workflow:0.1.0`);

    const reg = registryClient();
    const m = await reg.getManifest(`${path}/example-threshold-segmentation-workflow`, '0.1.0', [
      OCI_MANIFEST_MEDIA_TYPE,
    ]);
    expect(m.mediaType).toBe(OCI_MANIFEST_MEDIA_TYPE);
    expect(m.digest).toBe(pushed.digest);
    const manifest = JSON.parse(m.body.toString('utf8'));
    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.config.mediaType).toBe(HELM_CONFIG_MEDIA_TYPE);
    expect(manifest.layers).toHaveLength(1);
    expect(manifest.layers[0].mediaType).toBe(HELM_CHART_LAYER_MEDIA_TYPE);
    expect(manifest.annotations['org.opencontainers.image.title']).toBe('example-threshold-segmentation-workflow');
    expect(manifest.annotations['org.opencontainers.image.version']).toBe('0.1.0');
    const config = JSON.parse(
      (await reg.getBlob(`${path}/example-threshold-segmentation-workflow`, manifest.config.digest)).toString('utf8'),
    );
    expect(config).toMatchObject({
      name: 'example-threshold-segmentation-workflow',
      version: '0.1.0',
      apiVersion: 'v1',
    });

    const pulled = await pullChart(url, 'example-threshold-segmentation-workflow', '0.1.0');
    expect(pulled.data.equals(readFileSync(archive))).toBe(true);
    expect(pulled.layerMediaType).toBe(HELM_CHART_LAYER_MEDIA_TYPE);
    expect(pulled.configMediaType).toBe(HELM_CONFIG_MEDIA_TYPE);
    expect((await loadArchive(pulled.data)).metadata.name).toBe('example-threshold-segmentation-workflow');

    // Same content pushed twice gives the same manifest digest (deterministic); skip-existing skips.
    const again = await pushChart(archive, url);
    expect(again.digest).toBe(pushed.digest);
    const skipped = await pushChart(archive, url, { skipExisting: true });
    expect(skipped.status).toBe('skipped');
  });

  it('resolves oci:// dependencies by constraint', async () => {
    const path = uniqueName('kx-deps');
    const url = `oci://${REGISTRY}/${path}`;
    for (const v of ['0.1.0', '0.2.0', '1.0.0']) {
      const dir = join(tmp, `lib-${v}`);
      cpSync(join(tmp, 'dag-installer-chart'), dir, { recursive: true });
      const pkg = await packageChart(dir, { destination: join(tmp, 'libs'), version: v });
      await pushChart(pkg.path, url);
    }
    const app = join(tmp, 'oci-app');
    cpSync(join(tmp, 'dag-installer-chart'), app, { recursive: true });
    writeFileSync(
      join(app, 'Chart.yaml'),
      `apiVersion: v2\nname: oci-app\nversion: 0.1.0\ndependencies:\n- name: dag-installer-chart\n  version: ^0.1\n  repository: ${url}\n`,
    );
    const res = await updateDependencies(app);
    expect(res.dependencies).toMatchObject([{ name: 'dag-installer-chart', version: '0.1.0', source: 'oci' }]);
    writeFileSync(
      join(app, 'Chart.yaml'),
      `apiVersion: v2\nname: oci-app\nversion: 0.1.0\ndependencies:\n- name: dag-installer-chart\n  version: ">= 0.1"\n  repository: ${url}\n`,
    );
    const res2 = await updateDependencies(app);
    expect(res2.dependencies[0]?.version).toBe('1.0.0');
  });
});

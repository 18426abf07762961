// End to end: `scripts/demo.mjs` (the README's main job) publishes the example extension against
// the real registry on 127.0.0.1 and the real dockerd, through the CLI and the committed action
// bundles; then examples/otsu-kaapana-0.6 into a simulated 0.6.0 platform's own collection
// (base-collection), its other extension kept. Checked from the registry itself: the pushed tags and digests, the collection image's
// layers carrying the workflow chart, no local-only image pushed; then a rerun is idempotent.
// Needs dockerd + registry (run via scripts/with-services.sh, as `npm test` does).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import tarStream from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerAvailable } from '../support/docker.js';
import { REGISTRY, registryAvailable, registryClient, uniqueName } from '../support/registry.js';
import { needService } from '../support/services.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
// The CLI runs the bundles of this checkout, or of $KAAPANA_EXT_ACTIONS_DIR when set.
const actionsDir = process.env.KAAPANA_EXT_ACTIONS_DIR ?? root;
const missingActions = ['build-images', 'package-chart', 'update-collection', 'restart-pod'].filter(
  (a) => !existsSync(join(actionsDir, `action-${a}`, 'dist', 'index.js')),
);
/** IMAGE labels of the pushed processing containers (owned by the algorithm package) in the tree. */
function processingImages(): string[] {
  const dir = join(root, 'examples/threshold-segmentation/processing-containers');
  if (!existsSync(dir)) return [];
  const names: string[] = [];
  for (const sub of readdirSync(dir)) {
    const file = join(dir, sub, 'Dockerfile');
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    const m = /^LABEL IMAGE=["']?([^"'\s]+)/m.exec(text);
    if (m && !/^LABEL REGISTRY=["']?local-only/m.test(text)) names.push(m[1]!);
  }
  return names;
}
const processing = processingImages();
const services = needService(
  'dockerd or the registry on 127.0.0.1:5000',
  dockerAvailable() && (await registryAvailable()),
  import.meta.url,
);
const TAG = 'kp_0.1.3__0.1.0';

interface StepJson {
  step: string;
  ok: boolean;
  outputs: Record<string, unknown>;
}
interface DemoResult {
  registry: string;
  ok: boolean;
  steps: StepJson[];
  kaapana06?: { ok: boolean; dagInstaller: string; steps: StepJson[] };
  platforms: { version: string; chart: string; listed: boolean; ok: boolean; installable: string }[];
}
interface ImageJson {
  name: string;
  ref: string;
  localOnly: boolean;
  status: string;
  digest?: string;
}

function runDemo(env: NodeJS.ProcessEnv): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [join(root, 'scripts/demo.mjs')], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

async function tarEntries(gz: Buffer): Promise<string[]> {
  const names: string[] = [];
  const extract = tarStream.extract();
  extract.on('entry', (header, stream, next) => {
    names.push(header.name);
    stream.on('end', next);
    stream.resume();
  });
  const done = new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  Readable.from(gz).pipe(createGunzip()).pipe(extract);
  await done;
  return names;
}

const outputs = (r: DemoResult, step: string) => r.steps.find((s) => s.step === step)?.outputs ?? {};

describe.skipIf(!services || missingActions.length > 0)(
  `npm run demo end to end${missingActions.length ? ` (pending: action bundles missing: ${missingActions.join(', ')})` : ''}${services ? '' : ' (needs dockerd + registry: run through scripts/with-services.sh)'}`,
  () => {
    const prefix = uniqueName('kx-demo');
    let work: string;
    let first: DemoResult;
    const client = registryClient();

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'kx-demo-'));
      const run = runDemo({ KX_DEMO_REPO: prefix, KX_DEMO_WORK: work, KX_REGISTRY: REGISTRY });
      expect(run.status, run.output).toBe(0);
      first = JSON.parse(await readFile(join(work, 'result.json'), 'utf8')) as DemoResult;
    }, 16 * 60_000);

    afterAll(async () => {
      if (work) await rm(work, { recursive: true, force: true });
    });

    it('ran every step, restart included', () => {
      expect(first.ok).toBe(true);
      expect(first.steps.map((s) => [s.step, s.ok])).toEqual([
        ['build-images', true],
        ['package-chart', true],
        ['update-collection', true],
        ['restart-pod', true],
      ]);
    });

    it('pushed the extension images with the kp tag, digests as reported', async () => {
      const images = outputs(first, 'build-images').images as ImageJson[];
      const pushed = images.filter((i) => !i.localOnly);
      const expected = ['dag-example-otsus-method', ...processing];
      expect(pushed.map((i) => i.name).sort()).toEqual(expected.sort());
      for (const img of pushed) {
        const repo = `${prefix}/${img.name}`;
        expect(await client.tags(repo)).toContain(TAG);
        const head = await client.headManifest(repo, TAG);
        expect(head?.digest).toBe(img.digest);
      }
    });

    it('never pushed a local-only base', async () => {
      const repos = (await client.catalog()).filter((r) => r.startsWith(`${prefix}/`));
      expect(repos.sort()).toEqual(
        [
          `${prefix}/dag-example-otsus-method`,
          `${prefix}/kaapana-extension-collection`,
          ...processing.map((p) => `${prefix}/${p}`),
          // examples/otsu-kaapana-0.6: its DAG and processing images (base-installer stays local-only)
          `${prefix}/dag-kx-otsus-method`,
          `${prefix}/kx-otsus-method`,
        ].sort(),
      );
    });

    it('packaged the workflow chart with its dag-installer dependency', async () => {
      const packages = outputs(first, 'package-chart').packages as { name: string; version: string; path: string }[];
      const chart = packages.find((p) => p.name === 'example-threshold-segmentation-workflow');
      expect(chart?.version).toBe('0.1.0');
      const entries = await tarEntries(await readFile(chart!.path));
      expect(entries).toContain('example-threshold-segmentation-workflow/Chart.yaml');
      expect(entries).toContain('example-threshold-segmentation-workflow/requirements.yaml');
      expect(entries).toContain('example-threshold-segmentation-workflow/charts/dag-installer-chart/Chart.yaml');
    });

    it('pushed the collection image kp_0.1.3__0.1.0 carrying the new chart archive', async () => {
      const coll = outputs(first, 'update-collection');
      expect(coll.tag).toBe(TAG);
      const repo = `${prefix}/kaapana-extension-collection`;
      const manifest = await client.getManifest(repo, TAG);
      expect(manifest.digest).toBe(coll.digest);
      const body = JSON.parse(manifest.body.toString('utf8')) as { layers: { digest: string }[] };
      const files: string[] = [];
      for (const layer of body.layers) files.push(...(await tarEntries(await client.getBlob(repo, layer.digest))));
      expect(files.map((f) => f.replace(/^\.?\//, ''))).toEqual(
        expect.arrayContaining([
          'tmp/example-threshold-segmentation-workflow-0.1.0.tgz',
          'tmp/hello-world-chart-1.0.0.tgz',
        ]),
      );
      const requirements = await readFile(join(work, 'collection/kaapana-collection/requirements.yaml'), 'utf8');
      expect(requirements).toContain('- name: example-threshold-segmentation-workflow');
      expect(requirements).toContain('# Extensions offered by this platform.');
    });

    it("published examples/otsu-kaapana-0.6 by our own steps into the 0.6.0 platform's own collection", async () => {
      expect(first.kaapana06?.ok).toBe(true);
      expect(first.kaapana06!.steps.map((s) => [s.step, s.ok])).toEqual([
        ['build-images', true],
        ['package-chart', true],
        ['update-collection', true],
        ['restart-pod', true],
      ]);
      expect(first.platforms.map((p) => [p.version, p.chart, p.listed, p.ok])).toEqual([
        ['0.1.3', 'example-threshold-segmentation-workflow-0.1.0', true, true],
        ['0.6.0', 'kx-otsus-method-workflow-0.0.0', true, true],
      ]);
      const coll = first.kaapana06!.steps.find((s) => s.step === 'update-collection')!.outputs;
      expect(coll['expect-charts']).toEqual(['kx-otsus-method-workflow-0.0.0']);
      // built FROM the platform's image: its other extension is still in the pushed image
      expect(coll.charts).toEqual([
        'kaapana/tmp/extensions/kx-otsus-method-workflow-0.0.0.tgz',
        'kaapana/tmp/extensions/other-app-chart-1.0.0.tgz',
      ]);
      expect(await client.tags(`${prefix}/kx-otsus-method`)).toContain('0.6.0');
      expect(await client.tags(`${prefix}/dag-kx-otsus-method`)).toContain('0.0.0');
    });

    it(
      'is idempotent: a rerun changes nothing and reports the same digests',
      async () => {
        const run = runDemo({ KX_DEMO_REPO: prefix, KX_DEMO_WORK: work, KX_REGISTRY: REGISTRY });
        expect(run.status, run.output).toBe(0);
        const second = JSON.parse(await readFile(join(work, 'result.json'), 'utf8')) as DemoResult;
        expect(outputs(second, 'update-collection').changed).toBe(false);
        const digests = (r: DemoResult) =>
          Object.fromEntries(
            (outputs(r, 'build-images').images as ImageJson[])
              .filter((i) => !i.localOnly)
              .map((i) => [i.name, i.digest]),
          );
        expect(digests(second)).toEqual(digests(first));
        expect(
          (outputs(second, 'build-images').images as ImageJson[])
            .filter((i) => !i.localOnly)
            .every((i) => i.status === 'skipped'),
        ).toBe(true);
        expect(outputs(second, 'update-collection').digest).toBe(outputs(first, 'update-collection').digest);
      },
      16 * 60_000,
    );
  },
);

describe('the example extension is consistent', () => {
  const ex = join(root, 'examples/threshold-segmentation');
  const label = (dockerfile: string, name: string) =>
    new RegExp(`^LABEL ${name}=["']?([^"'\\s]+)`, 'm').exec(readFileSync(join(ex, dockerfile), 'utf8'))?.[1];

  it('the workflow chart installs the DAG image that the tree builds', async () => {
    const values = await readFile(join(ex, 'extension/threshold-segmentation-workflow/values.yaml'), 'utf8');
    expect(values).toContain(`image: "${label('extension/docker/Dockerfile', 'IMAGE')}"`);
    expect(values).toContain(`version: "${label('extension/docker/Dockerfile', 'VERSION')}"`);
    const requirements = await readFile(
      join(ex, 'extension/threshold-segmentation-workflow/requirements.yaml'),
      'utf8',
    );
    expect(/dependencies:\s*\n\s*- name: dag-installer-chart/.test(requirements)).toBe(true);
    expect(await readFile(join(ex, 'extension/threshold-segmentation-workflow/Chart.yaml'), 'utf8')).toContain(
      '- kaapanaworkflow',
    );
  });

  it('the DAG image is built FROM the local-only dag-installer of the tree', () => {
    const from = /^FROM (\S+)/m.exec(readFileSync(join(ex, 'extension/docker/Dockerfile'), 'utf8'))?.[1];
    expect(from).toBe(
      `local-only/${label('platform/dag-installer/Dockerfile', 'IMAGE')}:${label('platform/dag-installer/Dockerfile', 'VERSION')}`,
    );
    expect(label('platform/dag-installer/Dockerfile', 'REGISTRY')).toBe('local-only');
  });

  it.skipIf(processing.length === 0)('the operator runs the processing container the tree builds', async () => {
    const operator = await readFile(join(ex, 'extension/docker/files/otsu_threshold/OtsuThresholdOperator.py'), 'utf8');
    const image = /image=f"\{default_registry\}\/([^:]+):/.exec(operator)?.[1];
    expect(processing).toContain(image);
  });
});

// The Kaapana 0.6.0 example (examples/otsu-kaapana-0.6) built, pushed and packaged offline with the
// bundled actions, with test/kaapana-double-0.6.0 as its kaapana-source: base-installer comes from
// the Kaapana tree (built, never pushed), the processing image is tagged with the platform version
// its operator asks for ({KAAPANA_BUILD_VERSION}), the DAG image with the chart version 0.0.0, and
// the workflow chart carries dag-installer-chart from kaapana-source although its file:// path
// (into the Kaapana tree) does not exist here, after package-chart's reference lint found the DAG image in the
// registry. A wrong version is stopped by the reference lint
// before anything is built. Needs scripts/with-services.sh (dockerd + registry).
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArchive } from '@kaapana-ext/core/chart';
import { runAction } from '../support/run-action.js';
import { REGISTRY, registryAvailable, registryClient, uniqueName } from '../support/registry.js';

const ROOT = resolve(import.meta.dirname, '../..');
let ws: string;
let registry: string;

beforeAll(async () => {
  if (!(await registryAvailable())) throw new Error(`no registry at ${REGISTRY}: run through scripts/with-services.sh`);
  ws = mkdtempSync(join(tmpdir(), 'kx16-ex06-'));
  registry = `${REGISTRY}/${uniqueName('kx16-ex06')}`;
  cpSync(join(ROOT, 'examples/otsu-kaapana-0.6'), join(ws, 'ext'), { recursive: true });
  cpSync(join(ROOT, 'test/kaapana-double-0.6.0'), join(ws, 'kaapana'), { recursive: true });
  execFileSync(process.execPath, [join(ROOT, 'examples/threshold-segmentation/prepare-offline-bases.mjs')], {
    stdio: 'ignore',
  });
  copyFileSync(
    join(ROOT, 'test/kaapana-double-0.6.0/services/utils/base-installer/busybox'),
    join(ws, 'kaapana/services/utils/base-installer/busybox'),
  );
  // The processing container through the algorithm package's own entry points.
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'algorithm/container/prepare-node-runtime.mjs'),
      '--out',
      join(ws, 'ext/processing-containers/node-runtime'),
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    process.execPath,
    [join(ROOT, 'algorithm/container/build-app.mjs'), '--out', join(ws, 'ext/processing-containers/otsus-method/app')],
    { stdio: 'ignore' },
  );
}, 180_000);
afterAll(() => {
  if (ws) rmSync(ws, { recursive: true, force: true });
});

const INPUTS = () => ({
  context: 'ext',
  registry,
  'platform-version': '0.6.0',
  version: '0.6.0',
  'chart-version': '0.0.0',
  'kaapana-source': 'kaapana',
});

describe('examples/otsu-kaapana-0.6 (Kaapana 0.6.0)', () => {
  it('a version the operator does not ask for is stopped before anything is built', async () => {
    const run = await runAction(
      'action-build-images',
      { ...INPUTS(), version: '0.6.1' },
      { post: false, cwd: ws, env: { GITHUB_WORKSPACE: ws } },
    );
    expect(run.exitCode).not.toBe(0);
    expect(run.stdout).toMatch(
      /::error .*file=ext\/extension\/docker\/files\/kx_otsus_method\/KxOtsusMethodOperator\.py,line=28.*resolves to .*\/kx-otsus-method:0\.6\.0, but this run tags that image 0\.6\.1/,
    );
    expect(run.stdout).not.toMatch(/docker build|buildx build/);
  });

  it('builds and pushes: base-installer from kaapana-source (never pushed), processing image at 0.6.0, DAG image at 0.0.0', async () => {
    const run = await runAction('action-build-images', INPUTS(), {
      post: false,
      cwd: ws,
      env: { GITHUB_WORKSPACE: ws },
    });
    expect(run.exitCode, run.stdout).toBe(0);
    const images = JSON.parse(run.outputs.images!) as {
      name: string;
      ref: string;
      status: string;
      localOnly: boolean;
    }[];
    expect(
      images.map((i) => [i.name, i.localOnly ? 'local-only' : i.ref.slice(registry.length + 1), i.status]).sort(),
    ).toEqual([
      ['base-installer', 'local-only', 'built-only'],
      ['dag-kx-otsus-method', 'dag-kx-otsus-method:0.0.0', 'pushed'],
      ['kx-otsus-method', 'kx-otsus-method:0.6.0', 'pushed'],
      ['node-runtime', 'local-only', 'built-only'],
    ]);
    const client = registryClient();
    const repo = registry.slice(REGISTRY.length + 1);
    expect(await client.headManifest(`${repo}/kx-otsus-method`, '0.6.0')).toBeDefined();
    expect(await client.headManifest(`${repo}/base-installer`, 'latest')).toBeUndefined();
    const plan = JSON.parse(run.outputs.plan!) as { images: { name: string; origin: string; versionRule: string }[] };
    expect(plan.images.find((i) => i.name === 'base-installer')?.origin).toBe('kaapana-source');
    expect(plan.images.find((i) => i.name === 'dag-kx-otsus-method')?.versionRule).toBe(
      'chart-version (DAG image of a workflow chart)',
    );
    expect(run.summary).toContain('| tag from |');
  }, 300_000);

  it('packages the workflow chart with dag-installer-chart from kaapana-source', async () => {
    const run = await runAction(
      'action-package-chart',
      {
        chart: 'ext/extension/kx-otsus-method-workflow',
        'kaapana-source': 'kaapana',
        destination: 'charts',
        // reference lint: global.image resolves to <registry>/dag-kx-otsus-method:0.0.0, which the
        // build step pushed (asked with a HEAD on its manifest)
        registry,
      },
      { post: false, cwd: ws, env: { GITHUB_WORKSPACE: ws } },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).not.toContain('reference lint');
    expect(run.stdout).toMatch(
      /dag-installer-chart: packaging kaapana-source\/services\/utils\/dag-installer-chart as dag-installer-chart-0\.0\.0\.tgz \(file:\/\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/services\/utils\/dag-installer-chart\/ does not exist here\)/,
    );
    const archive = join(ws, 'charts/kx-otsus-method-workflow-0.0.0.tgz');
    expect(existsSync(archive)).toBe(true);
    const chart = await loadArchive(readFileSync(archive), 'kx-otsus-method-workflow-0.0.0.tgz');
    expect(chart.dependencies.map((d) => `${d.metadata.name}-${d.metadata.version}`)).toEqual([
      'dag-installer-chart-0.0.0',
    ]);
  });
});

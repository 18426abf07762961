// The reusable workflow's collection route in base-collection mode, executed job by job through
// test/support/workflow-runner.ts: a chart-only extension (Kaapana >= 0.2 style, kaapana-library-chart
// named without a repository, taken from kaapana-source) is packaged, added by the collection job to
// "the platform's own" 0.6.0 collection image (which already carries another extension), and the
// restart job reloads the Kaapana 0.6.0 platform simulator (test/kaapana-platform) through kube-helm
// with the real kubectl, verified against the collection job's expect-charts. The other extension is
// still listed afterwards: nothing of the platform was lost.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startKaapanaPlatform, type KaapanaPlatform } from './kaapana-platform/index.mjs';
import { collectionFiles, makeChart, pushImage } from './kaapana-platform/fixtures.mjs';
import { removeImages } from './support/docker.js';
import { REGISTRY, uniqueName } from './support/registry.js';
import { toolkitTree, write } from './support/toolkit-tree.js';
import { runReusableWorkflow, type WorkflowRunResult } from './support/workflow-runner.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const KAAPANA_SHA = '83e56c0d6b6b377dbe22cc35abdc2823db553a40'; // kaapana/kaapana 0.6.0
const SHA = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
const GITHUB = {
  event_name: 'workflow_dispatch',
  ref: 'refs/heads/main',
  ref_name: 'main',
  repository: 'my-org/kx14-app',
  actor: 'octocat',
  sha: '0'.repeat(40),
  token: 'not-used',
};

/** A minimal kaapana/kaapana tree with the library chart where 0.6.0 keeps it; and the user's chart. */
async function trees(tmp: string): Promise<void> {
  await write(join(tmp, 'kaapana/build-scripts/start_build.py'), '');
  await write(
    join(tmp, 'kaapana/services/utils/kaapana-library-chart/Chart.yaml'),
    stringify({ apiVersion: 'v2', name: 'kaapana-library-chart', version: '0.0.0', type: 'library' }),
  );
  const chart = join(tmp, 'repo/extension/kx14-app');
  await write(
    join(chart, 'Chart.yaml'),
    stringify({
      apiVersion: 'v2',
      name: 'kx14-app',
      version: '0.1.0',
      keywords: ['kaapanaapplication'],
      dependencies: [{ name: 'kaapana-library-chart', version: '0.0.0' }],
    }),
  );
  await write(join(chart, 'values.yaml'), stringify({ global: { greeting: 'hello' } }));
}

describe('the reusable workflow, base-collection + kube-helm reload (Kaapana 0.6.0)', () => {
  let tmp: string;
  let platform: KaapanaPlatform;
  let run: WorkflowRunResult;
  const registry = `${REGISTRY}/${uniqueName('kx14-wf')}`;
  const base = `${registry}/kaapana-extension-collection:0.6.0`;

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'kx14-wf-'));
    await toolkitTree(root, join(tmp, 'toolkit'));
    await trees(tmp);
    const other = await makeChart({ name: 'other-app-chart', version: '1.0.0', keywords: ['kaapanaapplication'] });
    await pushImage(base, collectionFiles('0.6.0', { 'other-app-chart-1.0.0.tgz': other }));
    platform = await startKaapanaPlatform({
      generation: '0.6.0',
      collections: [base],
      timing: { refreshDelayMs: 300, listTimerMs: 100, copyMs: 50, pullBackoffMs: 100, hookTimeoutMs: 2000 },
    });
    run = await runReusableWorkflow({
      workflow: join(tmp, 'toolkit/.github/workflows/publish-extension.yml'),
      with: {
        registry,
        chart: 'extension/kx14-app',
        'platform-version': '0.6.0',
        'base-collection': base,
        restart: 'true',
        'kaapana-sha': KAAPANA_SHA,
      },
      secrets: { kubeconfig: platform.api.kubeconfig() },
      repository: join(tmp, 'repo'),
      toolkit: { repository: 'kaapana-ext/kaapana-ext', sha: SHA, dir: join(tmp, 'toolkit') },
      checkouts: { [`kaapana/kaapana@${KAAPANA_SHA}`]: join(tmp, 'kaapana') },
      github: GITHUB,
      dir: join(tmp, 'run'),
    });
  }, 300_000);

  afterAll(async () => {
    await platform?.close();
    removeImages([base]);
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('packages, adds the chart to the platform collection and reloads with verification', () => {
    const results = Object.fromEntries(Object.entries(run.jobs).map(([n, j]) => [n, j.result]));
    expect(results, run.log.slice(-6000)).toEqual({
      plan: 'success',
      bases: 'skipped',
      build: 'skipped',
      package: 'success',
      collection: 'success',
      restart: 'success',
      install: 'skipped',
      report: 'success',
    });
    const step = run.steps.find((s) => s.uses?.endsWith('action-update-collection'));
    expect(step?.with?.['base-collection']).toBe(base);
    expect(run.log).toContain('base-collection');
    expect(run.log).toMatch(/verified .*kx14-app-0\.1\.0\.tgz/);
  });

  it('the platform lists our chart and still the other extension', async () => {
    const res = await fetch(`${platform.url}/kube-helm-api/extensions`, {
      headers: { Authorization: `Bearer ${platform.token}` },
    });
    const listed = ((await res.json()) as { name: string; version: string }[]).map((e) => `${e.name}-${e.version}`);
    expect(listed).toEqual(expect.arrayContaining(['kx14-app-0.1.0', 'other-app-chart-1.0.0']));
  });
});

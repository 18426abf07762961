// The reusable workflow's install route and its kaapana-source checkout, executed job by job through
// test/support/workflow-runner.ts (issues 15 and 16): a chart-only extension whose chart names
// `kaapana-library-chart` without a repository (Kaapana >= 0.2 style) is packaged with the
// dependency taken from "kaapana/kaapana at the pinned SHA" (a minimal Kaapana tree of this test
// standing for that checkout), then the install job delivers it to the Kaapana 0.6.0 platform
// simulator (test/kaapana-platform) through the API server's service proxy with the real kubectl
// (the kubeconfig secret) and waits until the platform shows it deployed. A kaapana-sha that is not
// a full SHA stops the run in the plan job, before anything is checked out.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startKaapanaPlatform, type KaapanaPlatform } from './kaapana-platform/index.mjs';
import { addUploadRoutes } from './kaapana-platform/upload-routes.mjs';
import { REGISTRY } from './support/registry.js';
import { toolkitTree, write } from './support/toolkit-tree.js';
import { runReusableWorkflow, type WorkflowRunResult } from './support/workflow-runner.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const KAAPANA_SHA = '83e56c0d6b6b377dbe22cc35abdc2823db553a40'; // kaapana/kaapana 0.6.0
const SHA = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
const TOOLKIT = { repository: 'kaapana-ext/kaapana-ext', sha: SHA };
const GITHUB = {
  event_name: 'workflow_dispatch',
  ref: 'refs/heads/main',
  ref_name: 'main',
  repository: 'my-org/kx1516-app',
  actor: 'octocat',
  sha: '0'.repeat(40),
  token: 'not-used',
};

/** A minimal kaapana/kaapana tree: Kaapana's build script marks it, the library chart lives where 0.6.0 keeps it. */
async function kaapanaTree(dir: string): Promise<void> {
  await write(join(dir, 'build-scripts/start_build.py'), '');
  const lib = join(dir, 'services/utils/kaapana-library-chart');
  await write(
    join(lib, 'Chart.yaml'),
    stringify({ apiVersion: 'v2', name: 'kaapana-library-chart', version: '0.0.0', type: 'library' }),
  );
  await write(join(lib, 'templates/_helpers.tpl'), '{{- define "kx1516.name" -}}kx1516{{- end -}}\n');
  // Kaapana's own examples are never taken (BUILD_IGNORE_PATTERNS: templates_and_examples).
  await write(
    join(dir, 'templates_and_examples/kaapana-library-chart/Chart.yaml'),
    stringify({ apiVersion: 'v2', name: 'kaapana-library-chart', version: '9.9.9' }),
  );
}

/** The user's repository: one application chart, no Dockerfiles. */
async function userRepo(dir: string): Promise<void> {
  const chart = join(dir, 'extension/kx1516-app');
  await write(
    join(chart, 'Chart.yaml'),
    stringify({
      apiVersion: 'v2',
      name: 'kx1516-app',
      version: '0.1.0',
      keywords: ['kaapanaapplication'],
      dependencies: [{ name: 'kaapana-library-chart', version: '0.0.0' }],
    }),
  );
  await write(join(chart, 'values.yaml'), stringify({ global: { greeting: 'hello' } }));
  await write(
    join(chart, 'templates/configmap.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kx1516-app\ndata:\n  greeting: {{ .Values.global.greeting | quote }}\n',
  );
}

describe('the reusable workflow, route install, with kaapana-source pinned by SHA', () => {
  let tmp: string;
  let platform: KaapanaPlatform;
  let run: WorkflowRunResult;
  const with_ = {
    registry: `${REGISTRY}/kx1516-wf`,
    chart: 'extension/kx1516-app',
    'platform-version': '0.6.0',
    route: 'install',
    'install-timeout': '30s',
    'kaapana-sha': KAAPANA_SHA,
  };

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'kx1516-wf-'));
    await toolkitTree(root, join(tmp, 'toolkit'));
    await kaapanaTree(join(tmp, 'kaapana'));
    await userRepo(join(tmp, 'repo'));
    platform = await startKaapanaPlatform({
      generation: '0.6.0',
      timing: { refreshDelayMs: 300, listTimerMs: 100, copyMs: 50, pullBackoffMs: 100, hookTimeoutMs: 2000 },
    });
    addUploadRoutes(platform);
    run = await runReusableWorkflow({
      workflow: join(tmp, 'toolkit/.github/workflows/publish-extension.yml'),
      with: with_,
      secrets: { kubeconfig: platform.api.kubeconfig() },
      repository: join(tmp, 'repo'),
      toolkit: { ...TOOLKIT, dir: join(tmp, 'toolkit') },
      checkouts: { [`kaapana/kaapana@${KAAPANA_SHA}`]: join(tmp, 'kaapana') },
      github: GITHUB,
      dir: join(tmp, 'run'),
    });
  }, 300_000);

  afterAll(async () => {
    await platform?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('packages, then installs instead of the collection route', () => {
    const results = Object.fromEntries(Object.entries(run.jobs).map(([n, j]) => [n, j.result]));
    expect(results, run.log.slice(-6000)).toEqual({
      plan: 'success',
      bases: 'skipped',
      build: 'skipped',
      package: 'success',
      collection: 'skipped',
      restart: 'skipped',
      install: 'success',
      report: 'success',
    });
  });

  it('checks kaapana/kaapana out at the SHA outside the workspace and hands it to the actions', () => {
    const checkouts = run.steps.filter(
      (s) => s.uses?.startsWith('actions/checkout@') && s.with?.repository === 'kaapana/kaapana',
    );
    expect(checkouts.map((s) => s.job)).toEqual(['plan', 'package']);
    expect(checkouts.every((s) => s.with?.ref === KAAPANA_SHA && s.with['persist-credentials'] === 'false')).toBe(true);
    const ours = run.steps.filter((s) => /action-(build-images|package-chart)$/.test(s.uses ?? ''));
    expect(ours.map((s) => s.with?.['kaapana-source'])).toEqual(['../kaapana-source', '../kaapana-source']);
    expect(run.log).toContain(
      'kaapana-library-chart: packaging kaapana-source/services/utils/kaapana-library-chart as kaapana-library-chart-0.1.0.tgz',
    );
  });

  it('delivers the packaged chart, installs it and reports the deployed release', () => {
    const release = JSON.parse(run.outputs.release!) as { name: string; status: string }[];
    expect(release).toEqual([expect.objectContaining({ name: 'kx1516-app', status: 'deployed' })]);
    const delivered = JSON.parse(run.outputs.delivered!) as { name: string; method: string }[];
    expect(delivered).toEqual([expect.objectContaining({ name: 'kx1516-app', method: 'upload (/file)' })]);
    expect(platform.releases.get('kx1516-app')?.status).toBe('deployed');
    expect(platform.requests.some((r) => r.path === '/helm-install-chart' && r.via === 'proxy')).toBe(true);
  });

  it('refuses a kaapana-sha that is not a full commit SHA before anything is checked out', async () => {
    const bad = await runReusableWorkflow({
      workflow: join(tmp, 'toolkit/.github/workflows/publish-extension.yml'),
      with: { ...with_, 'kaapana-sha': '0.6.0' },
      secrets: {},
      repository: join(tmp, 'repo'),
      toolkit: { ...TOOLKIT, dir: join(tmp, 'toolkit') },
      github: GITHUB,
      dir: join(tmp, 'run-bad'),
    });
    expect(bad.jobs.plan!.result).toBe('failure');
    expect(bad.log).toContain("kaapana-sha must be the full 40-hex commit of the platform's tag");
    expect(bad.steps.filter((s) => s.uses?.startsWith('actions/checkout@')).every((s) => s.outcome === 'skipped')).toBe(
      true,
    );
    expect(bad.jobs.install!.result).toBe('skipped');
  });
});

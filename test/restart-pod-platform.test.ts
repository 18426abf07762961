// action-restart-pod against the Kaapana platform simulator (test/kaapana-platform) of both
// generations, with the real kubectl and collection images in the real registry: the kube-helm
// reload is proven (a new copy Job completed, /extensions lists expect-charts), a collection image
// that does not exist fails with the copy pod's pull error, an expected chart the collection lacks is
// named, delete-pods on the copy Job is refused with the pointer to kube-helm, rollout restarts
// kube-helm without reloading; the kubeconfig token never appears in any output.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionFiles, pushImage, workflowChart } from './kaapana-platform/fixtures.mjs';
import { startKaapanaPlatform, type Generation, type KaapanaPlatform } from './kaapana-platform/index.mjs';
import { runAction, type ActionRun } from './support/run-action.js';
import { REGISTRY, uniqueName } from './support/registry.js';

const TIMING = { refreshDelayMs: 1500, listTimerMs: 200, copyMs: 150, pullBackoffMs: 200, hookTimeoutMs: 2000 };
const VERSION: Record<Generation, string> = { '0.1.x': '0.1.3', '0.6.0': '0.6.0' };
let runnerTemp: string;

beforeAll(async () => {
  runnerTemp = await mkdtemp(join(tmpdir(), 'kx-14-restart-platform-'));
});
afterAll(async () => {
  await rm(runnerTemp, { recursive: true, force: true });
});

function reload(p: KaapanaPlatform, inputs: Record<string, string>): Promise<ActionRun> {
  return runAction(
    'action-restart-pod',
    {
      kubeconfig: p.api.kubeconfig(),
      'platform-version': VERSION[p.generation],
      'poll-interval': '200ms',
      timeout: '60s',
      ...inputs,
    },
    { env: { RUNNER_TEMP: runnerTemp } },
  );
}

/** The token may appear only in the add-mask command that hides it. */
function expectNoToken(p: KaapanaPlatform, r: ActionRun): void {
  for (const text of [r.stdout, r.summary, JSON.stringify(r.outputs)]) {
    for (const line of text.split('\n').filter((l) => l.includes(p.api.token))) expect(line).toMatch(/^::add-mask::/);
  }
}

async function collection(generation: Generation, charts: Record<string, Buffer>): Promise<string> {
  const ref = `${REGISTRY}/${uniqueName('14-restart')}/kaapana-extension-collection:${generation === '0.1.x' ? 'kp_0.1.3__0.1.0' : '0.6.0'}`;
  await pushImage(ref, collectionFiles(generation, charts));
  return ref;
}

describe.each(['0.1.x', '0.6.0'] as const)('Kaapana %s', (generation) => {
  let platform: KaapanaPlatform;

  beforeAll(async () => {
    const ref = await collection(generation, { 'otsu-workflow-0.1.0.tgz': await workflowChart('otsu-workflow') });
    platform = await startKaapanaPlatform({ generation, collections: [ref], timing: TIMING });
  });
  afterAll(async () => {
    await platform.close();
  });

  it('reloads with kube-helm (default) and proves it: new copy Job completed, /extensions lists the chart', async () => {
    const before = platform.copyJobs().map((j) => j.metadata.name);
    const r = await reload(platform, { 'expect-charts': 'otsu-workflow-0.1.0.tgz' });
    expect(r.exitCode, r.stdout).toBe(0);
    const out = JSON.parse(r.outputs['restarted']!);
    expect(out.strategy).toBe('kube-helm');
    expect(out.namespace).toBe(platform.gen.kubeHelmNamespace);
    expect(out.status).toBe(202);
    expect(r.outputs['job']).toMatch(/^copy-kube-helm-collections-/);
    expect(before).not.toContain(r.outputs['job']);
    expect(platform.copyJobs().map((j) => j.metadata.name)).toEqual([r.outputs['job']]);
    expect(r.outputs['pod']).toMatch(new RegExp(`^${r.outputs['job']}-`));
    expect(out.jobNamespace).toBe(platform.gen.jobNamespace);
    expect(JSON.parse(r.outputs['charts']!)).toContain('otsu-workflow-0.1.0');
    expect(r.summary).toContain('charts listed by /extensions');
    expect(r.stdout).toContain(`job/${r.outputs['job']} completed`);
    expectNoToken(platform, r);
  });

  it('names an expected chart the platform does not list, with the copy Job state', async () => {
    const r = await reload(platform, { 'expect-charts': 'otsu-workflow-0.1.0, other-workflow-2.0.0', timeout: '4s' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(
      /the platform does not list other-workflow-2\.0\.0 after the reload: kube-helm's \/extensions lists otsu-workflow-0\.1\.0; the copy Job job\/copy-kube-helm-collections-\S+ completed/,
    );
    expectNoToken(platform, r);
  });

  it('refuses delete-pods on the completed copy Job, pointing to kube-helm', async () => {
    const r = await reload(platform, { strategy: 'delete-pods' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(
      /refusing to delete pod\/copy-kube-helm-collections-\S+: it belongs to job\/copy-kube-helm-collections-\S+, which has completed; Kubernetes never re-runs a finished Job/,
    );
    expect(r.stdout).toContain('Use strategy kube-helm');
    expectNoToken(platform, r);
  });
});

describe('reload failures', () => {
  it('fails with the copy pod pull error when the collection image does not exist (the 202 proves nothing)', async () => {
    const missing = `${REGISTRY}/${uniqueName('14-restart-missing')}/kaapana-extension-collection:0.6.0`;
    const p = await startKaapanaPlatform({
      generation: '0.6.0',
      collections: [missing],
      timing: { ...TIMING, hookTimeoutMs: 300 },
    });
    try {
      const r = await reload(p, { 'expect-charts': 'otsu-workflow-0.1.0' });
      expect(r.exitCode).not.toBe(0);
      expect(r.stdout).toContain('answered 202: Successfully updated the extensions');
      expect(r.stdout).toMatch(
        /the copy Job job\/copy-kube-helm-collections-\S+ in namespace "admin" did not copy the collection: pod\/\S+ Pending \((ErrImagePull|ImagePullBackOff)\)/,
      );
      expect(r.stdout).toContain(`${missing}: not found`);
      expectNoToken(p, r);
    } finally {
      await p.close();
    }
  });

  it('rollout restarts kube-helm and says that this does not reload collections', async () => {
    const ref = await collection('0.1.x', { 'otsu-workflow-0.1.0.tgz': await workflowChart('otsu-workflow') });
    const p = await startKaapanaPlatform({ generation: '0.1.x', collections: [ref], timing: TIMING });
    try {
      const jobs = p.copyJobs().map((j) => j.metadata.name);
      const r = await reload(p, {
        strategy: 'rollout',
        resource: 'deployment/kube-helm-deployment',
        namespace: 'kube-system',
      });
      expect(r.exitCode, r.stdout).toBe(0);
      expect(JSON.parse(r.outputs['restarted']!).namespace).toBe('kube-system');
      expect(r.stdout).toContain('it does not copy extension collections');
      expect(p.copyJobs().map((j) => j.metadata.name)).toEqual(jobs);
    } finally {
      await p.close();
    }
  });
});

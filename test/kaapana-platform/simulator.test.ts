// The Kaapana platform simulator itself, through the real kubectl (HTTPS fake API server, token,
// service proxy) and its ingress URL, for both generations, with collection images in the real
// registry: the copy Job pulls and copies, /update-extensions replaces it with a new uuid-named Job,
// a finished Job never runs again, a missing image leaves the pod in ErrImagePull/ImagePullBackOff
// while the endpoint still answers 202, /extensions caches, and /helm-install-chart refuses a chart
// whose dependency is missing from charts/.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY, uniqueName } from '../support/registry.js';
import { collectionFiles, makeChart, pushImage, workflowChart } from './fixtures.mjs';
import { startKaapanaPlatform, type Generation, type KaapanaPlatform } from './index.mjs';
import { until } from '../support/until.js';

const run = promisify(execFile);
const TIMING = { refreshDelayMs: 1500, listTimerMs: 200, copyMs: 150, pullBackoffMs: 200, hookTimeoutMs: 3000 };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kx-14-sim-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function kubectl(
  p: KaapanaPlatform,
  ...args: string[]
): Promise<{ stdout: string; stderr: string; code: number }> {
  const kc = p.api.writeKubeconfig(join(dir, `kc-${p.generation}`));
  try {
    return { ...(await run('kubectl', ['--kubeconfig', kc, '--cache-dir', join(dir, 'cache'), ...args])), code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

const proxy = (p: KaapanaPlatform, path: string) =>
  `/api/v1/namespaces/${p.gen.kubeHelmNamespace}/services/kube-helm-service:5000/proxy${path}`;

const tagOf = (g: Generation) => (g === '0.1.x' ? 'kp_0.1.3__0.1.0' : '0.6.0');

describe.each(['0.1.x', '0.6.0'] as const)('Kaapana %s simulator', (generation) => {
  let platform: KaapanaPlatform;
  let ref: string;

  beforeAll(async () => {
    ref = `${REGISTRY}/${uniqueName('14-sim')}/kaapana-extension-collection:${tagOf(generation)}`;
    await pushImage(
      ref,
      collectionFiles(generation, {
        'otsu-workflow-0.1.0.tgz': await workflowChart('otsu-workflow'),
        'nodeps-workflow-0.2.0.tgz': await workflowChart('nodeps-workflow', '0.2.0', false),
      }),
    );
    platform = await startKaapanaPlatform({ generation, collections: [ref], timing: TIMING });
  });
  afterAll(async () => {
    await platform.close();
  });

  it('copies the collection at start with a uuid-named Job whose finished pod is never re-run', async () => {
    const ns = platform.gen.jobNamespace;
    const jobs = await until('the first copy Job to complete', () => {
      const j = platform.copyJobs();
      return j.length === 1 && j[0]!.status?.conditions?.some((c: { type: string }) => c.type === 'Complete')
        ? j
        : undefined;
    });
    expect(jobs[0]!.metadata.name).toMatch(/^copy-kube-helm-collections-[0-9a-f]{8}-[0-9a-f]$/);
    expect(jobs[0]!.spec.backoffLimit).toBe(0);
    expect(jobs[0]!.spec.template.spec.containers[0].imagePullPolicy).toBe('Always');
    expect((await readdir(platform.extensionsDir)).sort()).toEqual([
      'nodeps-workflow-0.2.0.tgz',
      'otsu-workflow-0.1.0.tgz',
    ]);
    const pods = await kubectl(
      platform,
      '-n',
      ns,
      'get',
      'pods',
      '-l',
      `job-name=${jobs[0]!.metadata.name}`,
      '-o',
      'name',
    );
    expect(pods.code, pods.stderr).toBe(0);
    const podName = pods.stdout.trim();
    expect(podName).toMatch(/^pod\/copy-kube-helm-collections-/);
    const logs = await kubectl(platform, '-n', ns, 'logs', podName);
    expect(logs.stdout).toContain('Successfully applied action copy to all the files');
    // The default selector of the old restart-pod (job-name=copy-kube-helm-collections) matches nothing.
    expect(
      (
        await kubectl(platform, '-n', ns, 'get', 'pods', '-l', 'job-name=copy-kube-helm-collections', '-o', 'name')
      ).stdout.trim(),
    ).toBe('');
    // Deleting the pod of a finished Job starts nothing.
    expect((await kubectl(platform, '-n', ns, 'delete', podName)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(
      platform.api.list('pods', ns).filter((p) => p.metadata.labels?.['job-name'] === jobs[0]!.metadata.name),
    ).toEqual([]);
  });

  it('reloads through the service proxy: 202, a new copy Job pulls again, /extensions lists the charts', async () => {
    const before = platform.copyJobs().map((j) => j.metadata.name);
    const pulls = platform.node.pulls.length;
    const r = await kubectl(platform, 'get', '--raw', proxy(platform, '/update-extensions'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Successfully updated the extensions');
    const after = await until('the new copy Job to complete', () => {
      const j = platform.copyJobs();
      return j.length === 1 && !before.includes(j[0]!.metadata.name) && j[0]!.status?.succeeded === 1 ? j : undefined;
    });
    expect(after[0]!.metadata.name).not.toBe(before[0]);
    expect(platform.node.pulls.length).toBeGreaterThan(pulls);
    const listed = await until('/extensions to list both charts', async () => {
      const l = JSON.parse((await kubectl(platform, 'get', '--raw', proxy(platform, '/extensions'))).stdout) as Array<{
        name: string;
        version: string;
        kind: string;
      }>;
      return l.length === 2 ? l : undefined;
    });
    expect(listed.map((e) => `${e.name}-${e.version}`).sort()).toEqual([
      'nodeps-workflow-0.2.0',
      'otsu-workflow-0.1.0',
    ]);
    expect(listed.every((e) => e.kind === 'dag')).toBe(true);
    if (generation === '0.6.0') expect(listed[0]).toHaveProperty('available_versions');
    else expect(listed[0]).toHaveProperty('releaseName');
  });

  it('serves the ingress with the bearer token only', async () => {
    expect((await fetch(`${platform.url}/kube-helm-api/health-check`)).status).toBe(401);
    const ok = await fetch(`${platform.url}/kube-helm-api/health-check`, {
      headers: { Authorization: `Bearer ${platform.token}` },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('Kube-Helm api is up and running!');
  });

  it('refuses to install a chart whose dependency is missing from charts/ (helm in the log)', async () => {
    const post = (body: object) =>
      fetch(`${platform.url}/kube-helm-api/helm-install-chart`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${platform.token}` },
        body: JSON.stringify(body),
      });
    const bad = await post({ name: 'nodeps-workflow', version: '0.2.0' });
    const helmError = 'found in Chart.yaml, but missing in charts/ directory: dag-installer-chart';
    if (generation === '0.6.0') {
      expect(bad.status).toBe(500);
      expect(await bad.text()).toBe('Chart install command failed for nodeps-workflow');
    } else {
      // 0.1.x runs helm in the background and answers 200 with the command either way.
      expect(bad.status).toBe(200);
      expect(await bad.text()).toMatch(/^Trying to install chart with .*nodeps-workflow-0\.2\.0\.tgz/);
    }
    await until('helm error in the log', () => platform.logLines.some((l) => l.includes(helmError)));
    expect(platform.releases.has('nodeps-workflow')).toBe(false);
    const good = await post({ name: 'otsu-workflow', version: '0.1.0' });
    expect(good.status).toBe(200);
    await until('the release', () => platform.releases.get('otsu-workflow')?.status === 'deployed');
  });
});

describe('copy Jobs that cannot finish', () => {
  it('leave the pod Pending in ErrImagePull / ImagePullBackOff while /update-extensions answers 202', async () => {
    const missing = `${REGISTRY}/${uniqueName('14-sim-missing')}/kaapana-extension-collection:0.6.0`;
    const p = await startKaapanaPlatform({
      generation: '0.6.0',
      collections: [missing],
      timing: { ...TIMING, hookTimeoutMs: 500 },
    });
    try {
      const r = await kubectl(p, 'get', '--raw', proxy(p, '/update-extensions'));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('Successfully updated the extensions');
      const reasons = new Set<string>();
      await until('both pull states', async () => {
        const out = await kubectl(p, '-n', 'admin', 'get', 'pods', '-o', 'json');
        for (const pod of JSON.parse(out.stdout).items) {
          if (!pod.metadata.name.startsWith('copy-')) continue;
          expect(pod.status.phase).toBe('Pending');
          const w = pod.status.containerStatuses?.[0]?.state?.waiting;
          if (w) reasons.add(w.reason);
          if (w?.reason === 'ErrImagePull') expect(w.message).toContain(`${missing}: not found`);
        }
        return reasons.has('ErrImagePull') && reasons.has('ImagePullBackOff');
      });
      expect(p.copyJobs()).toHaveLength(1);
    } finally {
      await p.close();
    }
  });

  it('0.6.0: a file outside plugins|dags|mounted_scripts|extensions fails the copy Job (base-installer run.py)', async () => {
    const ref = `${REGISTRY}/${uniqueName('14-sim-stray')}/kaapana-extension-collection:0.6.0`;
    await pushImage(ref, {
      '/kaapana/tmp/extensions/a-workflow-0.1.0.tgz': await workflowChart('a-workflow'),
      '/kaapana/tmp/README.md': Buffer.from('x'),
    });
    const p = await startKaapanaPlatform({ generation: '0.6.0', collections: [ref], timing: TIMING });
    try {
      const job = await until('the Job to fail', () =>
        p.copyJobs().find((j) => j.status?.conditions?.some((c: { type: string }) => c.type === 'Failed')),
      );
      const pods = p.api.list('pods', 'admin').filter((x) => x.metadata.labels?.['job-name'] === job.metadata.name);
      expect(pods[0]!.status.phase).toBe('Failed');
      expect(p.api.podLog('admin', pods[0]!.metadata.name).join('\n')).toContain(
        'Unknown relative directory: README.md',
      );
    } finally {
      await p.close();
    }
  });

  it('0.1.x copies every file below /tmp/ but lists only top-level archives', async () => {
    const ref = `${REGISTRY}/${uniqueName('14-sim-nested')}/kaapana-extension-collection:kp_0.1.3__0.1.0`;
    await pushImage(ref, {
      '/tmp/charts/nested-workflow-0.1.0.tgz': await workflowChart('nested-workflow'),
      '/tmp/top-workflow-0.1.0.tgz': await makeChart({ name: 'top-workflow', keywords: ['kaapanaworkflow'] }),
    });
    const p = await startKaapanaPlatform({ generation: '0.1.x', collections: [ref], timing: TIMING });
    try {
      const list = await until('the list', async () => {
        const l = (await p.extensions.get()) as Array<{ name: string }>;
        return l.length ? l : undefined;
      });
      expect(list.map((e) => e.name)).toEqual(['top-workflow']);
      expect(await readdir(join(p.extensionsDir, 'charts'))).toEqual(['nested-workflow-0.1.0.tgz']);
    } finally {
      await p.close();
    }
  });
});

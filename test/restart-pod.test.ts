// action-restart-pod end to end: the bundled action (dist/index.js) run the way the runner runs it,
// with the real kubectl against the fake Kubernetes API server (HTTPS, token) of test/kube. Covers
// every strategy's mechanics, credentials (YAML and base64 kubeconfig, removal), auth failures, no
// match, refusals, timeouts, unreachable server, transient retries and dry-run. The reload against a
// simulated Kaapana (copy Jobs, /extensions) is in restart-pod-platform.test.ts.
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, realpathSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as io from '@actions/io';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { goPlatform } from '@kaapana-ext/core/tools';
import { startFakeKubeApi, type FakeKubeApi } from './kube/fake-api-server.mjs';
import { runAction, type ActionRun } from './support/run-action.js';

const ACTION = 'action-restart-pod';
let api: FakeKubeApi;
let runnerTemp: string;

beforeAll(async () => {
  runnerTemp = await mkdtemp(join(tmpdir(), 'kx-restart-runner-'));
});
afterAll(async () => {
  await rm(runnerTemp, { recursive: true, force: true });
});
beforeEach(async () => {
  api = await startFakeKubeApi({ readyMs: 150 });
});
afterEach(async () => {
  await api.close();
});

function restart(inputs: Record<string, string>, kubeconfig = api.kubeconfig()): Promise<ActionRun> {
  return runAction(ACTION, { kubeconfig, ...inputs }, { env: { RUNNER_TEMP: runnerTemp } });
}

function restarted(r: ActionRun): {
  strategy: string;
  namespace?: string;
  dryRun: boolean;
  resources: Array<{ kind: string; name: string; action: string }>;
  pods: string[];
  reply?: string;
  status?: number;
  commands: string[];
} {
  expect(r.exitCode, r.stdout).toBe(0);
  return JSON.parse(r.outputs['restarted'] ?? 'null');
}

function podsOf(ns: string, label: string, value: string) {
  return api.list('pods', ns).filter((p) => p.metadata.labels?.[label] === value);
}

describe('strategy delete-pods', () => {
  const COPY = 'copy-kube-helm-collections-1a2b3c4d-5';

  it('refuses the pods of a completed copy Job (matched by name prefix) and points to kube-helm', async () => {
    api.seedJob({ name: COPY, namespace: 'default', backoffLimit: 0 });
    const r = await restart({ strategy: 'delete-pods', 'platform-version': '0.1.3' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `refusing to delete pod/${COPY}-\\w+: it belongs to job/${COPY}, which has completed; Kubernetes never re-runs a finished Job`,
      ),
    );
    expect(r.stdout).toContain('Use strategy kube-helm');
    expect(r.stdout).toContain('nothing was deleted');
    expect(api.requests.filter((q) => q.method === 'DELETE')).toEqual([]);
  });

  it('refuses the pod of a running copy Job whose backoffLimit 0 a deletion would exceed', async () => {
    api.seedJob({ name: COPY, namespace: 'admin', completed: false, podBehavior: 'never', backoffLimit: 0 });
    const r = await restart({ strategy: 'delete-pods', 'platform-version': '0.6.0' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain(`job/${COPY} is still running with backoffLimit 0`);
    expect(r.stdout).toContain('Use strategy kube-helm');
    expect(api.requests.filter((q) => q.method === 'DELETE')).toEqual([]);
  });

  it('deletes the pod of a running Job that may retry and waits for the replacement to succeed', async () => {
    api.seedJob({ name: COPY, namespace: 'default', completed: false, podBehavior: 'never', backoffLimit: 2 });
    const [old] = podsOf('default', 'job-name', COPY);
    api.setPodBehavior('jobs', 'default', COPY, 'ready');
    const r = await restart({ strategy: 'delete-pods', 'platform-version': '0.1.3' });
    const out = restarted(r);
    expect(out.strategy).toBe('delete-pods');
    expect(out.namespace).toBe('default');
    expect(out.resources).toEqual([{ kind: 'Pod', name: old!.metadata.name, namespace: 'default', action: 'deleted' }]);
    expect(out.pods).toHaveLength(1);
    expect(api.get('pods', 'default', out.pods[0]!)?.status.phase).toBe('Succeeded');
    expect(r.stdout).toContain(`deleting pod/${old!.metadata.name}`);
    expect(r.outputs['kubectl-path']).toMatch(/kubectl$/);
    expect(r.summary).toContain('Kaapana: reload');
    expect(r.summary).toContain(out.pods[0]);
    // The kubeconfig is gone after the step; the post step finds nothing left to remove.
    expect((await readdir(runnerTemp)).filter((f) => f.startsWith('kx-kube-'))).toEqual([]);
    expect(r.postExitCode).toBe(0);
  });

  it('waits for every deleted deployment pod to be replaced by a Ready one', async () => {
    api.seedDeployment({ name: 'web', namespace: 'apps', labels: { app: 'web' }, replicas: 2 });
    const old = podsOf('apps', 'app', 'web').map((p) => p.metadata.name);
    const out = restarted(await restart({ strategy: 'delete-pods', selector: 'app=web', namespace: 'apps' }));
    expect(out.resources.map((x) => x.name).sort()).toEqual([...old].sort());
    expect(out.pods).toHaveLength(2);
    for (const p of out.pods) {
      expect(old).not.toContain(p);
      expect(api.get('pods', 'apps', p)?.status.conditions).toContainEqual({ type: 'Ready', status: 'True' });
    }
  });

  it('ignores pods that are still terminating and waits for the real replacement', async () => {
    api.gracePeriodMs = 1500;
    api.seedDeployment({ name: 'slowstop', labels: { app: 'slowstop' } });
    const [old] = podsOf('default', 'app', 'slowstop');
    const out = restarted(await restart({ strategy: 'delete-pods', selector: 'app=slowstop', namespace: 'default' }));
    expect(out.pods).toHaveLength(1);
    expect(out.pods[0]).not.toBe(old!.metadata.name);
    expect(api.get('pods', 'default', out.pods[0]!)?.metadata.deletionTimestamp).toBeUndefined();
  });

  it('fails clearly when nothing matches, and deletes nothing', async () => {
    api.seedJob({ name: COPY });
    const r = await restart({ strategy: 'delete-pods', selector: 'app=nothing-here', namespace: 'default' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('no pod matched selector "app=nothing-here" in namespace "default"');
    expect(r.stdout).toMatch(/::error .*no pod matched/);
    const r2 = await restart({ strategy: 'delete-pods', namespace: 'other' });
    expect(r2.exitCode).not.toBe(0);
    expect(r2.stdout).toContain('no Job named copy-kube-helm-collections-… in namespace "other"');
    expect(api.requests.filter((q) => q.method === 'DELETE')).toEqual([]);
  });

  it('refuses to delete a pod that no controller would bring back', async () => {
    api.seedPod({ name: 'lonely', labels: { app: 'lonely' } });
    const r = await restart({ strategy: 'delete-pods', selector: 'app=lonely', namespace: 'default' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('refusing to delete pod/lonely');
    expect(api.get('pods', 'default', 'lonely')).toBeDefined();
  });

  it('times out when the replacement never becomes ready, naming what it saw', async () => {
    api.seedDeployment({ name: 'stuckweb', labels: { app: 'stuckweb' }, podBehavior: 'never' });
    const r = await restart({ strategy: 'delete-pods', selector: 'app=stuckweb', namespace: 'default', timeout: '3s' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(/timed out after 3s waiting for replacement pods of ReplicaSet\/stuckweb-\w+/);
    expect(r.stdout).toMatch(/Pending \(ContainerCreating\)/);
  });

  it('retries transient API errors and then succeeds', async () => {
    api.seedDeployment({ name: 'flaky', labels: { app: 'flaky' } });
    api.failNext({ count: 2, status: 503, method: 'GET', path: /\/namespaces\/default\/pods$/ });
    const r = await restart({ strategy: 'delete-pods', selector: 'app=flaky', namespace: 'default' });
    const out = restarted(r);
    expect(out.pods).toHaveLength(1);
    expect(r.stdout).toContain('transient API error (attempt 1)');
    expect(r.stdout).toContain('transient API error (attempt 2)');
  });

  it('gives up on transient errors after `retries` attempts with kubectl stderr in the message', async () => {
    api.seedDeployment({ name: 'flaky', labels: { app: 'flaky' } });
    api.failNext({ count: 10, status: 503, method: 'GET', path: /\/namespaces\/default\/pods$/ });
    const r = await restart({ strategy: 'delete-pods', selector: 'app=flaky', namespace: 'default', retries: '2' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('kept failing with a transient error');
    expect(r.stdout).toContain('ServiceUnavailable');
  });
});

describe('strategy rollout', () => {
  it('restarts a deployment (kubeconfig as base64), waits for rollout status and lists the new pods', async () => {
    api.seedDeployment({
      name: 'kube-helm-deployment',
      namespace: 'admin',
      labels: { 'app.kubernetes.io/name': 'kube-helm' },
    });
    const old = podsOf('admin', 'app.kubernetes.io/name', 'kube-helm').map((p) => p.metadata.name);
    const kubeconfig = Buffer.from(api.kubeconfig())
      .toString('base64')
      .replace(/(.{76})/g, '$1\n');
    const r = await restart(
      { strategy: 'rollout', resource: 'deployment/kube-helm-deployment', namespace: 'admin' },
      kubeconfig,
    );
    const out = restarted(r);
    expect(out.resources).toEqual([
      { kind: 'deployment', name: 'kube-helm-deployment', namespace: 'admin', action: 'restarted' },
    ]);
    expect(out.pods).toHaveLength(1);
    expect(old).not.toContain(out.pods[0]);
    const dep = api.get('deployments', 'admin', 'kube-helm-deployment');
    expect(dep?.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
    expect(r.stdout).toContain('successfully rolled out');
  });

  it('restarts a daemonset and a statefulset in one step', async () => {
    api.seedDaemonSet({ name: 'agent', namespace: 'ops', labels: { app: 'agent' } });
    api.seedStatefulSet({ name: 'db', namespace: 'ops', labels: { app: 'db' }, replicas: 2 });
    const oldUids = new Set(api.list('pods', 'ops').map((p) => p.metadata.uid));
    const out = restarted(
      await restart({ strategy: 'rollout', resource: 'ds/agent, statefulset/db', namespace: 'ops', timeout: '60s' }),
    );
    expect(out.resources.map((x) => `${x.kind}/${x.name}`)).toEqual(['daemonset/agent', 'statefulset/db']);
    expect(out.pods.filter((p) => p.startsWith('agent-'))).toHaveLength(1);
    expect(out.pods.filter((p) => p.startsWith('db-')).sort()).toEqual(['db-0', 'db-1']);
    for (const p of api.list('pods', 'ops')) expect(oldUids.has(p.metadata.uid)).toBe(false);
  });

  it('reports a rollout that does not finish in time', async () => {
    api.seedDeployment({ name: 'stuck', labels: { app: 'stuck' }, podBehavior: 'never' });
    const r = await restart({ strategy: 'rollout', resource: 'deployment/stuck', timeout: '2s' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('timed out waiting');
    expect(r.stdout).toContain('kubectl --kubeconfig');
  });

  it('says which resource was not found', async () => {
    const r = await restart({ strategy: 'rollout', resource: 'deployment/missing' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('was not found');
    expect(r.stdout).toContain('deployments.apps \\"missing\\" not found'.replace(/\\"/g, '"'));
  });

  it('requires the resource input', async () => {
    const r = await restart({ strategy: 'rollout' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('needs the resource input');
  });
});

describe('strategy kube-helm: the call (verification: test/restart-pod-platform.test.ts)', () => {
  it('calls /update-extensions through the service proxy and reports the reply', async () => {
    const calls: string[] = [];
    api.seedService({
      name: 'kube-helm-service',
      namespace: 'admin',
      port: 5000,
      handler: (req) => {
        calls.push(`${req.method} ${req.path}`);
        return { status: 202, body: { message: 'Successfully updated the extensions' } };
      },
    });
    const r = await restart({ strategy: 'kube-helm', verify: 'false' });
    const out = restarted(r);
    expect(calls).toEqual(['GET /update-extensions']);
    expect(out.namespace).toBe('admin');
    expect(out.status).toBe(202);
    expect(out.reply).toContain('Successfully updated the extensions');
    expect(out.resources).toEqual([
      { kind: 'Service', name: 'kube-helm-service', namespace: 'admin', action: 'called GET /update-extensions' },
    ]);
    expect(r.summary).toContain('Successfully updated the extensions');
  });

  it("fails on kube-helm's 500 without retrying it", async () => {
    let calls = 0;
    api.seedService({
      name: 'kube-helm-service',
      namespace: 'admin',
      port: 5000,
      handler: () => {
        calls++;
        return { status: 500, body: 'Extensions update failed: could not pull kaapana-extension-collection' };
      },
    });
    const r = await restart({ strategy: 'kube-helm', verify: 'false' });
    expect(r.exitCode).not.toBe(0);
    expect(calls).toBe(1);
    expect(r.stdout).toContain('kube-helm-service in namespace "admin" answered 500');
    expect(r.stdout).toContain('Extensions update failed');
  });

  it('retries while the service has no endpoints, and reports a missing service', async () => {
    api.seedService({ name: 'kube-helm-service', namespace: 'admin', port: 5000, endpoints: false });
    const r = await restart({ strategy: 'kube-helm', verify: 'false', retries: '2' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('transient API error (attempt 1)');
    expect(r.stdout).toContain('answered 503');
    const r2 = await restart({ strategy: 'kube-helm', verify: 'false', service: 'other-service:5000' });
    expect(r2.exitCode).not.toBe(0);
    expect(r2.stdout).toContain(
      'service other-service (or its path /update-extensions) was not found in namespace "admin"',
    );
  });
});

describe('credentials and reachability', () => {
  it('reports rejected credentials (401) with kubectl stderr, without retrying or leaking the token', async () => {
    const wrong = 'wrong-token-0123456789';
    const r = await restart({}, api.kubeconfig({ token: wrong }));
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('401 Unauthorized');
    expect(r.stdout).toContain('You must be logged in to the server');
    expect(r.stdout).not.toContain('transient API error');
    // The token only ever appears in the add-mask command that hides it.
    for (const line of r.stdout.split('\n').filter((l) => l.includes(wrong))) expect(line).toMatch(/^::add-mask::/);
    expect(r.stdout).toContain(`::add-mask::${wrong}`);
  });

  it('reports a forbidden delete (403) and leaves the pod alone', async () => {
    api.seedDeployment({ name: 'guarded', labels: { app: 'guarded' } });
    const [pod] = podsOf('default', 'app', 'guarded');
    api.deny({ verb: 'delete', resource: 'pods' });
    const r = await restart({ strategy: 'delete-pods', selector: 'app=guarded', namespace: 'default' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('403 Forbidden');
    expect(r.stdout).toContain('cannot delete resource \\"pods\\"'.replace(/\\"/g, '"'));
    expect(api.get('pods', 'default', pod!.metadata.name)).toBeDefined();
  });

  it('reports an unreachable API server', async () => {
    const r = await restart({}, api.kubeconfig({ server: 'https://127.0.0.1:1' }));
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('could not reach the Kubernetes API server');
    expect(r.stdout).toContain('connection refused');
  });

  it('rejects a server certificate the kubeconfig CA did not sign', async () => {
    const other = await startFakeKubeApi();
    try {
      const mixed = api
        .kubeconfig()
        .replace(/certificate-authority-data: .*/, /certificate-authority-data: .*/.exec(other.kubeconfig())![0]);
      const r = await restart({}, mixed);
      expect(r.exitCode).not.toBe(0);
      expect(r.stdout).toContain('could not reach the Kubernetes API server (check the server URL, network and CA');
      expect(r.stdout).toMatch(/x509|certificate/);
    } finally {
      await other.close();
    }
  });

  it('names the kubeconfig input when it is not a kubeconfig, and an unknown context', async () => {
    const r = await restart({}, 'clusters: [unclosed');
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('kubeconfig input is not valid YAML');
    const r2 = await restart({ context: 'nope' });
    expect(r2.exitCode).not.toBe(0);
    expect(r2.stdout).toContain('context "nope" is not in the kubeconfig input (it has: fake)');
  });

  it('the post step removes a kubeconfig the main step left behind', async () => {
    const dir = await mkdtemp(join(runnerTemp, 'kx-kube-'));
    const r = await runAction(
      ACTION,
      {},
      { post: false, env: { RUNNER_TEMP: runnerTemp, 'STATE_kx-is-post': 'true', 'STATE_kubeconfig-dir': dir } },
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('removed the kubeconfig left by the main step');
    expect((await readdir(runnerTemp)).filter((f) => f.startsWith('kx-kube-'))).toEqual([]);
  });
});

describe('dry-run', () => {
  it('prints the kubectl commands of each strategy and contacts nothing', async () => {
    const cases: Array<Record<string, string>> = [
      { strategy: 'delete-pods', 'platform-version': '0.1.3' },
      { strategy: 'rollout', resource: 'deployment/kube-helm-deployment', namespace: 'admin' },
      {},
    ];
    for (const inputs of cases) {
      const r = await restart({ ...inputs, 'dry-run': 'true' });
      const out = restarted(r);
      expect(out.dryRun).toBe(true);
      expect(out.commands.length).toBeGreaterThan(0);
      for (const c of out.commands) expect(r.stdout).toContain(`[dry-run] ${c}`);
    }
    expect(api.requests).toEqual([]);
    const r = await restart({ strategy: 'delete-pods', 'platform-version': '0.1.3', 'dry-run': 'true' });
    expect(r.stdout).toMatch(
      /\[dry-run\] kubectl --kubeconfig \S+ --namespace default .*delete pods --selector 'job-name in \(copy-kube-helm-collections-…\)' --wait=false/,
    );
    const k = await restart({
      'dry-run': 'true',
      'platform-version': '0.1.3',
      'expect-charts': 'x-workflow-1.0.0.tgz',
    });
    expect(k.stdout).toMatch(
      /\[dry-run\] kubectl .*get --raw \/api\/v1\/namespaces\/kube-system\/services\/kube-helm-service:5000\/proxy\/update-extensions/,
    );
    expect(k.stdout).toContain('--request-timeout=600s');
    expect(k.stdout).toContain(
      '[dry-run] then wait up to 300s for a new copy-kube-helm-collections-… Job in namespace "default" to complete and for /extensions to list x-workflow-1.0.0',
    );
  });
});

describe('kubectl-version', () => {
  it('installs a verified kubectl into the tool cache and uses it; a wrong published sha256 fails the step', async () => {
    const binary = realpathSync(await io.which('kubectl', true));
    const sha = createHash('sha256').update(readFileSync(binary)).digest('hex');
    const server = createServer((req, res) => {
      const url = req.url ?? '';
      if (/\/v1\.32\.(4|9)\/bin\/[^/]+\/[^/]+\/kubectl$/.test(url)) createReadStream(binary).pipe(res);
      else if (/\/v1\.32\.4\/.*\/kubectl\.sha256$/.test(url)) res.end(`${sha}\n`);
      else if (/\/v1\.32\.9\/.*\/kubectl\.sha256$/.test(url)) res.end('0'.repeat(64));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const toolCache = await mkdtemp(join(tmpdir(), 'kx-restart-toolcache-'));
    try {
      const addr = server.address();
      const baseUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      api.seedService({
        name: 'kube-helm-service',
        namespace: 'admin',
        port: 5000,
        handler: () => ({ status: 202, body: 'reloading' }),
      });
      const env = { RUNNER_TEMP: runnerTemp, RUNNER_TOOL_CACHE: toolCache };
      const ok = await runAction(
        ACTION,
        {
          kubeconfig: api.kubeconfig(),
          strategy: 'kube-helm',
          verify: 'false',
          'kubectl-version': '1.32.4',
          'kubectl-base-url': baseUrl,
        },
        { env },
      );
      expect(restarted(ok).reply).toBe('reloading');
      expect(ok.outputs['kubectl-path']).toBe(join(toolCache, 'kubectl', '1.32.4', goPlatform().arch, 'kubectl'));
      expect(ok.stdout).toContain(`sha256 ${sha} verified`);
      const bad = await runAction(
        ACTION,
        {
          kubeconfig: api.kubeconfig(),
          strategy: 'kube-helm',
          verify: 'false',
          'kubectl-version': '1.32.9',
          'kubectl-base-url': baseUrl,
        },
        { env },
      );
      expect(bad.exitCode).not.toBe(0);
      expect(bad.stdout).toContain('SHA-256 mismatch for kubectl 1.32.9');
      expect(await readdir(join(toolCache, 'kubectl'))).toEqual(['1.32.4']);
    } finally {
      server.close();
      await rm(toolCache, { recursive: true, force: true });
    }
  });
});

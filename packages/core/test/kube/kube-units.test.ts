// Unit tests of the kube area that need no API server: durations, kubeconfig input parsing and
// masking, kubectl stderr classification, workload and service references, kubectl argv and dry-run.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KxError } from '@kaapana-ext/core';
import {
  Kubectl,
  chartsInExtensionList,
  kaapanaLayout,
  normalizeChartName,
  checkContext,
  classifyKubectlStderr,
  defaultNamespace,
  deletePods,
  kubectlDuration,
  lastLoggedStatus,
  parseDuration,
  parseKubeconfigInput,
  parseStrategy,
  parseWorkloads,
  removeKubeconfigDir,
  serviceProxyPath,
  writeKubeconfig,
} from '@kaapana-ext/core/kube';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://127.0.0.1:6443
users:
- name: u
  user:
    token: s3cr3t-token-value
    client-key-data: S0VZREFUQQ==
contexts:
- name: ctx
  context: {cluster: c, user: u}
current-context: ctx
`;

describe('parseDuration', () => {
  it('reads seconds, units and compounds', () => {
    expect(parseDuration('300')).toBe(300_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(kubectlDuration(1500)).toBe('2s');
  });
  it('names the input on bad values', () => {
    expect(() => parseDuration('soon')).toThrow(/timeout must be a duration like 300, 90s, 5m or 1m30s, got "soon"/);
    expect(() => parseDuration('0s')).toThrow(/greater than zero/);
    expect(() => parseDuration('5 minutes')).toThrow(KxError);
  });
});

describe('kubeconfig input', () => {
  it('accepts YAML and wrapped base64, and lists the credentials to mask', () => {
    const yaml = parseKubeconfigInput(KUBECONFIG);
    expect(yaml.contexts).toEqual(['ctx']);
    expect(yaml.currentContext).toBe('ctx');
    expect(yaml.secrets).toContain('s3cr3t-token-value');
    expect(yaml.secrets).toContain('S0VZREFUQQ==');
    const b64 = Buffer.from(KUBECONFIG)
      .toString('base64')
      .replace(/(.{60})/g, '$1\n');
    const decoded = parseKubeconfigInput(b64);
    expect(decoded.text.trim()).toBe(KUBECONFIG.trim());
    expect(decoded.secrets).toContain(b64.trim());
    expect(decoded.secrets).toContain(b64.split('\n')[0]);
  });
  it('rejects what is not a kubeconfig, with the line where YAML breaks', () => {
    expect(() => parseKubeconfigInput('   ')).toThrow(/kubeconfig input is empty/);
    expect(() => parseKubeconfigInput('bm90IHlhbWw=')).toThrow(/looks like base64 but does not decode to YAML/);
    expect(() => parseKubeconfigInput('kind: Config\nclusters: []\n')).toThrow(/has no clusters/);
    let err: KxError | undefined;
    try {
      parseKubeconfigInput('apiVersion: v1\nclusters:\n  - name: a\n  bad: [\n');
    } catch (e) {
      err = e as KxError;
    }
    expect(err?.message).toMatch(/kubeconfig input is not valid YAML/);
    expect(err?.file).toBe('kubeconfig input');
    expect(err?.line).toBeGreaterThan(1);
  });
  it('checks the context', () => {
    const k = parseKubeconfigInput(KUBECONFIG);
    expect(() => checkContext(k, 'ctx')).not.toThrow();
    expect(() => checkContext(k, undefined)).not.toThrow();
    expect(() => checkContext(k, 'other')).toThrow(/context "other" is not in the kubeconfig input \(it has: ctx\)/);
  });
  it('writes a 0600 file in a 0700 dir and removes it', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'kx-kubeconfig-test-'));
    try {
      const w = await writeKubeconfig(KUBECONFIG, parent);
      expect((await stat(w.path)).mode & 0o777).toBe(0o600);
      expect((await stat(w.dir)).mode & 0o777).toBe(0o700);
      await removeKubeconfigDir(w.dir);
      await expect(stat(w.dir)).rejects.toThrow();
      await expect(removeKubeconfigDir(parent)).rejects.toThrow(/refusing/);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});

describe('classifyKubectlStderr', () => {
  it('tells the failures apart', () => {
    expect(classifyKubectlStderr('error: You must be logged in to the server (Unauthorized)')).toBe('unauthorized');
    expect(
      classifyKubectlStderr('Error from server (Forbidden): pods "x" is forbidden: User "u" cannot delete resource'),
    ).toBe('forbidden');
    expect(
      classifyKubectlStderr('Unable to connect to the server: dial tcp 127.0.0.1:1: connect: connection refused'),
    ).toBe('unreachable');
    expect(
      classifyKubectlStderr(
        'The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?',
      ),
    ).toBe('unreachable');
    expect(classifyKubectlStderr('Unable to connect to the server: net/http: TLS handshake timeout')).toBe('transient');
    expect(
      classifyKubectlStderr(
        'Error from server (ServiceUnavailable): the server is currently unable to handle the request',
      ),
    ).toBe('transient');
    expect(classifyKubectlStderr('Error from server (NotFound): deployments.apps "x" not found')).toBe('not-found');
    expect(classifyKubectlStderr('error: timed out waiting for the condition')).toBe('timeout');
    expect(classifyKubectlStderr('error: unknown flag: --nope')).toBe('failed');
  });
  it('reads the HTTP status of a -v=6 run', () => {
    const log =
      'I1127 09:41:42.810205 1 round_trippers.go:560] GET https://127.0.0.1:1/api/v1/namespaces/admin/services/s:5000/proxy/update-extensions 500 Internal Server Error in 4 milliseconds\n';
    expect(lastLoggedStatus(log)).toBe(500);
    expect(lastLoggedStatus('nothing')).toBeUndefined();
  });
});

describe('strategy inputs', () => {
  it('parses strategies, workloads and service references', () => {
    expect(parseStrategy('kube-helm')).toBe('kube-helm');
    expect(() => parseStrategy('reboot')).toThrow(/strategy must be one of delete-pods, rollout, kube-helm/);
    expect(parseWorkloads('deploy/a, ds/b\nstatefulsets/c,d')).toEqual([
      { kind: 'deployment', name: 'a' },
      { kind: 'daemonset', name: 'b' },
      { kind: 'statefulset', name: 'c' },
      { kind: 'deployment', name: 'd' },
    ]);
    expect(() => parseWorkloads('job/x')).toThrow(
      /resource "job\/x" is not <deployment\|daemonset\|statefulset>\/<name>/,
    );
    expect(() => parseWorkloads('')).toThrow(/needs the resource input/);
    expect(serviceProxyPath('admin', 'kube-helm-service:5000', '/update-extensions')).toBe(
      '/api/v1/namespaces/admin/services/kube-helm-service:5000/proxy/update-extensions',
    );
    expect(() => serviceProxyPath('admin', 'bad/name', '/x')).toThrow(KxError);
    expect(defaultNamespace('delete-pods')).toBe('admin');
    expect(defaultNamespace('kube-helm')).toBe('admin');
    expect(defaultNamespace('delete-pods', '0.1.3')).toBe('default');
    expect(defaultNamespace('kube-helm', '0.1.3')).toBe('kube-system');
    expect(defaultNamespace('kube-helm', '0.6.0')).toBe('admin');
    expect(defaultNamespace('rollout', '0.1.3')).toBeUndefined();
    expect(kaapanaLayout('0.2.0-latest').copyJobNamespace).toBe('admin');
    expect(() => kaapanaLayout('latest')).toThrow(/platform-version must be a Kaapana version/);
  });
  it('reads both /extensions shapes and normalises expected chart names', () => {
    const v01 = [
      {
        name: 'otsu-workflow',
        version: '0.2.0',
        versions: ['0.2.0', '0.1.0'],
        kind: 'dag',
        releaseName: 'otsu-workflow',
      },
    ];
    const v06 = [
      {
        chart_name: 'app',
        name: 'app',
        latest_version: '1.0.0',
        version: '1.0.0',
        versions: ['1.0.0'],
        available_versions: { '1.0.0': { deployments: [] }, '0.9.0': { deployments: [] } },
      },
    ];
    expect(chartsInExtensionList(v01)).toEqual(['otsu-workflow-0.1.0', 'otsu-workflow-0.2.0']);
    expect(chartsInExtensionList(v06)).toEqual(['app-0.9.0', 'app-1.0.0']);
    expect(() => chartsInExtensionList({ detail: 'x' })).toThrow(/did not answer a JSON list/);
    expect(normalizeChartName(' charts/a-workflow-1.2.3.tgz ')).toBe('a-workflow-1.2.3');
    expect(normalizeChartName('a-workflow-1.2.3')).toBe('a-workflow-1.2.3');
  });
});

describe('Kubectl', () => {
  it('puts the global flags first and quotes for display', () => {
    const k = new Kubectl({
      path: '/usr/bin/kubectl',
      kubeconfig: '/tmp/k c',
      context: 'ctx',
      namespace: 'ns',
      requestTimeoutSec: 10,
    });
    expect(k.argv(['get', 'pods'])).toEqual([
      '--kubeconfig',
      '/tmp/k c',
      '--context',
      'ctx',
      '--namespace',
      'ns',
      '--request-timeout=10s',
      'get',
      'pods',
    ]);
    expect(k.argv(['get', '--raw', '/x'], false)).not.toContain('--namespace');
    expect(k.commandLine(['get', 'pods', '--selector', 'a in (b)'])).toBe(
      "kubectl --kubeconfig '/tmp/k c' --context ctx --namespace ns --request-timeout=10s get pods --selector 'a in (b)'",
    );
  });
  it('only prints in dry-run, even with a kubectl that does not exist', async () => {
    const lines: string[] = [];
    const k = new Kubectl({
      path: '/nonexistent/kubectl',
      namespace: 'default',
      dryRun: true,
      log: (l) => lines.push(l),
    });
    const r = await deletePods({ kubectl: k, timeoutMs: 60_000, log: (l) => lines.push(l) }, { selector: 'app=web' });
    expect(r.dryRun).toBe(true);
    expect(r.commands).toHaveLength(2);
    expect(lines[0]).toBe(
      '[dry-run] kubectl --namespace default --request-timeout=30s get pods --selector app=web --output json',
    );
    expect(lines[1]).toContain('delete pods --selector app=web --wait=false');
  });
  it('reports a kubectl that cannot be started', async () => {
    const k = new Kubectl({ path: '/nonexistent/kubectl' });
    await expect(k.run(['version'])).rejects.toThrow(/could not start kubectl at \/nonexistent\/kubectl/);
  });
});

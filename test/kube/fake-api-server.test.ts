// The fake Kubernetes API server itself, through the real kubectl: TLS with its own CA, token auth,
// table output, watch-based waits, the job "controller", selectors, fault injection.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLabelSelector, startFakeKubeApi, type FakeKubeApi } from './fake-api-server.mjs';

const run = promisify(execFile);
let api: FakeKubeApi;
let dir: string;
let kubeconfig: string;

async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args]);
    return { ...r, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kx-fake-kube-test-'));
  api = await startFakeKubeApi({ readyMs: 100 });
  kubeconfig = api.writeKubeconfig(join(dir, 'kubeconfig'));
});
afterAll(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

describe('fake Kubernetes API server', () => {
  it('serves kubectl over TLS with token auth, and refuses a wrong token', async () => {
    expect(api.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    api.seedJob({ name: 'copy', namespace: 'default' });
    const ok = await kubectl('get', 'pods');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^NAME\s+STATUS\s+AGE$/m);
    expect(ok.stdout).toMatch(/^copy-\w{5}\s+Succeeded/m);
    const bad = await run('kubectl', [
      '--kubeconfig',
      api.writeKubeconfig(join(dir, 'bad'), { token: 'nope' }),
      'get',
      'pods',
    ]).catch((e: { stderr: string }) => e);
    expect((bad as { stderr: string }).stderr).toContain('You must be logged in to the server');
  });

  it('never re-runs a completed Job, replaces a deleted pod of a running one, fails it past backoffLimit', async () => {
    const [old] = api.list('pods', 'default').filter((p) => p.metadata.labels?.['job-name'] === 'copy');
    expect((await kubectl('delete', 'pod', old!.metadata.name)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(api.list('pods', 'default').filter((p) => p.metadata.labels?.['job-name'] === 'copy')).toEqual([]);
    expect(api.get('jobs', 'default', 'copy')?.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'Complete', status: 'True' }),
    );

    api.seedJob({ name: 'running', namespace: 'default', completed: false, podBehavior: 'never' });
    const [first] = api.list('pods', 'default').filter((p) => p.metadata.labels?.['job-name'] === 'running');
    expect((await kubectl('delete', 'pod', first!.metadata.name, '--wait=false')).code).toBe(0);
    const w = await kubectl(
      'wait',
      '--for=jsonpath={.status.phase}=Pending',
      'pod',
      '-l',
      'job-name=running',
      '--timeout=20s',
    );
    expect(w.code, w.stderr).toBe(0);
    const now = api.list('pods', 'default').filter((p) => p.metadata.labels?.['job-name'] === 'running');
    expect(now.map((p) => p.metadata.name)).not.toContain(first!.metadata.name);
    expect(api.get('jobs', 'default', 'running')?.status.failed).toBe(1);

    api.seedJob({ name: 'strict', namespace: 'default', completed: false, podBehavior: 'never', backoffLimit: 0 });
    const [only] = api.list('pods', 'default').filter((p) => p.metadata.labels?.['job-name'] === 'strict');
    expect((await kubectl('delete', 'pod', only!.metadata.name)).code).toBe(0);
    const f = await kubectl('wait', '--for=condition=Failed', 'job/strict', '--timeout=20s');
    expect(f.code, f.stderr).toBe(0);
    expect(api.list('pods', 'default').filter((p) => p.metadata.labels?.['job-name'] === 'strict')).toEqual([]);
  });

  it('answers 403 for denied verbs and injected 5xx once', async () => {
    api.seedPod({ name: 'p1', namespace: 'x', labels: { a: 'b' } });
    api.deny({ verb: 'delete', resource: 'pods', namespace: 'x' });
    const denied = await kubectl('-n', 'x', 'delete', 'pod', 'p1');
    expect(denied.stderr).toContain('Forbidden');
    api.failNext({ status: 503, method: 'GET', path: /\/namespaces\/x\/pods$/ });
    expect((await kubectl('-n', 'x', 'get', 'pods')).stderr).toContain('ServiceUnavailable');
    expect((await kubectl('-n', 'x', 'get', 'pods', '-l', 'a in (b,c)', '-o', 'name')).stdout.trim()).toBe('pod/p1');
  });

  it('parses label selectors', () => {
    const sel = parseLabelSelector('app=web, tier!=db, env in (prod,stage), !legacy, team');
    expect(sel({ app: 'web', tier: 'fe', env: 'prod', team: 'x' })).toBe(true);
    expect(sel({ app: 'web', tier: 'db', env: 'prod', team: 'x' })).toBe(false);
    expect(sel({ app: 'web', env: 'dev', team: 'x' })).toBe(false);
    expect(sel({ app: 'web', env: 'prod', team: 'x', legacy: '1' })).toBe(false);
    expect(() => parseLabelSelector('a b c')).toThrow(/unable to parse/);
  });
});

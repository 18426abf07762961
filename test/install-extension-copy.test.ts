// action-install-extension, method copy (the seed's step 4.1): the bundled action run as a runner
// runs it, copying the example chart into an extensions directory on this machine and over SSH to a
// real sshd (Debian openssh-server) on a loopback port with throw-away keys and a pinned host key.
// Also the refusals that need no platform: a chart lacking its dependency, an unpinned or changed
// host key, Kaapana 0.1.x with method upload.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageExampleChart, type PackagedExample } from './support/example-chart.js';
import { runAction } from './support/run-action.js';
import { SSHD, startSshd, type TestSshd } from './support/sshd.js';

const ACTION = 'action-install-extension';
let chart: PackagedExample;
let lacking: PackagedExample;
let work: string;

beforeAll(async () => {
  chart = await packageExampleChart(true);
  lacking = await packageExampleChart(false);
  work = await mkdtemp(join(tmpdir(), 'kx-15-copy-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const delivered = (out: Record<string, string>) =>
  JSON.parse(out['delivered'] ?? '[]') as Array<{
    name: string;
    version: string;
    method: string;
    to: string;
    bytes: number;
  }>;

describe('copy into a local extensions directory', () => {
  it('writes <name>-<version>.tgz atomically and leaves no temp file', async () => {
    const dir = await mkdtemp(join(work, 'ext-'));
    const r = await runAction(ACTION, { chart: chart.path, method: 'copy', 'extensions-dir': dir });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(await readdir(dir)).toEqual([`${chart.name}-${chart.version}.tgz`]);
    expect(readFileSync(join(dir, `${chart.name}-${chart.version}.tgz`)).equals(readFileSync(chart.path))).toBe(true);
    expect(delivered(r.outputs)).toEqual([
      expect.objectContaining({
        name: chart.name,
        version: chart.version,
        method: 'copy (local)',
        to: join(dir, `${chart.name}-${chart.version}.tgz`),
      }),
    ]);
    expect(r.summary).toContain(chart.name);
  });

  it('refuses a missing extensions directory without creating it', async () => {
    const dir = join(work, 'does-not-exist');
    const r = await runAction(ACTION, { chart: chart.path, method: 'copy', 'extensions-dir': dir });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain(`the extensions directory ${dir} does not exist`);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses a chart that lacks a dependency in its archive, before writing anything', async () => {
    const dir = await mkdtemp(join(work, 'ext-'));
    const r = await runAction(ACTION, { chart: lacking.path, method: 'copy', 'extensions-dir': dir });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(
      /lacks dependencies in its archive \(example-threshold-segmentation-workflow: dag-installer-chart\)/,
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('dry run prints the copy and writes nothing', async () => {
    const dir = await mkdtemp(join(work, 'ext-'));
    const r = await runAction(ACTION, { chart: chart.path, method: 'copy', 'extensions-dir': dir, 'dry-run': 'true' });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.stdout).toContain(`[dry-run] copy ${chart.path} → ${join(dir, `${chart.name}-${chart.version}.tgz`)}`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('Kaapana 0.1.x has no upload: method upload is refused with the pointer to copy', async () => {
    const r = await runAction(ACTION, {
      chart: chart.path,
      method: 'upload',
      'platform-version': '0.1.3',
      'platform-url': 'https://kaapana.invalid',
      'client-secret': 'x-secret-x',
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('Kaapana 0.1.x has no upload endpoint: use method copy');
  });
});

describe('copy over SSH to a real sshd', () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    // Never skipped: scripts/with-services.sh installs openssh-server.
    if (!existsSync(SSHD)) throw new Error(`${SSHD} missing: install openssh-server (scripts/with-services.sh does)`);
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.close();
  });
  const sshInputs = (dir: string, knownHosts = sshd.knownHosts) => ({
    chart: chart.path,
    method: 'copy',
    'extensions-dir': dir,
    'ssh-host': sshd.host,
    'ssh-port': String(sshd.port),
    'ssh-user': sshd.user,
    'ssh-key': sshd.userKey,
    'ssh-known-hosts': knownHosts,
  });

  it('streams the chart to a temp name, checks size and sha256, renames it into place; the key is masked and removed', async () => {
    const dir = await mkdtemp(join(work, 'ssh-ext-'));
    const runnerTemp = await mkdtemp(join(work, 'runner-'));
    const r = await runAction(ACTION, sshInputs(dir), { env: { RUNNER_TEMP: runnerTemp } });
    expect(r.exitCode, `${r.stdout}\n${sshd.log()}`).toBe(0);
    expect(await readdir(dir)).toEqual([`${chart.name}-${chart.version}.tgz`]);
    expect(readFileSync(join(dir, `${chart.name}-${chart.version}.tgz`)).equals(readFileSync(chart.path))).toBe(true);
    expect(delivered(r.outputs)[0]).toMatchObject({
      method: 'copy (ssh)',
      to: `${sshd.user}@127.0.0.1:${sshd.port}:${dir}/${chart.name}-${chart.version}.tgz`,
    });
    const keyLine = sshd.userKey.split('\n')[1]!;
    const printed = r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    expect(printed.join('\n')).not.toContain(keyLine);
    expect(r.stdout).toContain(`::add-mask::${keyLine}`);
    expect(await readdir(runnerTemp)).toEqual([]);
    // a rerun replaces the file (rename over it)
    const again = await runAction(ACTION, sshInputs(dir));
    expect(again.exitCode, again.stdout).toBe(0);
    expect(await readdir(dir)).toEqual([`${chart.name}-${chart.version}.tgz`]);
  });

  it('refuses a host whose key is not the pinned one, and never writes', async () => {
    const dir = await mkdtemp(join(work, 'ssh-ext-'));
    const r = await runAction(ACTION, sshInputs(dir, sshd.wrongKnownHosts));
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(/Host key verification failed|host key is not the one pinned/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses to run without a pinned host key', async () => {
    const dir = await mkdtemp(join(work, 'ssh-ext-'));
    const r = await runAction(ACTION, sshInputs(dir, ''));
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('ssh-known-hosts is empty');
  });

  it('reports a missing extensions directory on the host', async () => {
    const r = await runAction(ACTION, sshInputs(join(work, 'no-such-dir')));
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain('does not exist on the host');
  });
});

// action-install-extension against the Kaapana platform simulator (test/kaapana-platform, with the
// 0.6.0 upload/import endpoints of upload-routes.mjs and the Keycloak-like token endpoint of
// keycloak.mjs): the bundled action run as a runner runs it, reaching kube-helm through the platform
// URL (HTTPS with a self-signed CA, OIDC token) or through the API server's service proxy with the
// real kubectl. Covers install of the example chart with proof, a rerun (0.6.0's /file never
// overwrites), uninstall, refusal of a chart lacking its dependency before any upload, Keycloak
// 401, expired tokens, a real `docker save` tar imported, interrupted chunk uploads, the Project
// header of multi-installable charts, 0.1.x (copy + install + GET delete) and dry run.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubeHelmClient, PlatformHttp, SecretRedactor, TokenSource } from '@kaapana-ext/core/platform';
import { startKaapanaPlatform, type KaapanaPlatform, type KaapanaPlatformOptions } from './kaapana-platform/index.mjs';
import { makeChart } from './kaapana-platform/fixtures.mjs';
import { startKeycloak, type Keycloak } from './kaapana-platform/keycloak.mjs';
import { addUploadRoutes, type Uploads } from './kaapana-platform/upload-routes.mjs';
import { makeSelfSignedCert } from './kube/fake-api-server.mjs';
import { busyboxContext, dockerAvailable, removeImages } from './support/docker.js';
import { packageExampleChart, type PackagedExample } from './support/example-chart.js';
import { uniqueName } from './support/registry.js';
import { runAction, type ActionRun } from './support/run-action.js';

const ACTION = 'action-install-extension';
const TIMING = { refreshDelayMs: 300, listTimerMs: 100, copyMs: 50, pullBackoffMs: 100, hookTimeoutMs: 2000 };
let chart: PackagedExample;
let lacking: PackagedExample;
let work: string;
const tls = makeSelfSignedCert();
const open: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  chart = await packageExampleChart(true);
  lacking = await packageExampleChart(false);
  work = await mkdtemp(join(tmpdir(), 'kx-15-install-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function platform(
  opts: KaapanaPlatformOptions = {},
  kc?: Keycloak,
): Promise<{ p: KaapanaPlatform; uploads: Uploads }> {
  const p = await startKaapanaPlatform({
    generation: '0.6.0',
    timing: TIMING,
    ...(kc ? { authorize: (t: string) => kc.check(t) } : {}),
    ...opts,
  });
  open.push(p);
  const uploads = addUploadRoutes(p);
  return { p, uploads };
}

async function keycloak(accessTtlSec = 300): Promise<Keycloak> {
  const kc = await startKeycloak({
    tls,
    accessTtlSec,
    clients: { kaapana: 'kx-15-client-secret' },
    users: { kaapana: 'kx-15-password' },
  });
  open.push(kc);
  return kc;
}

/** Inputs for the platform URL route with the test CA. */
function viaUrl(p: KaapanaPlatform, kc: Keycloak, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'platform-url': p.url,
    'token-url': kc.tokenUrl,
    'client-secret': 'kx-15-client-secret',
    'ca-certificate': tls.cert,
    timeout: '20s',
    ...extra,
  };
}

const json = <T>(r: ActionRun, name: string): T => JSON.parse(r.outputs[name] ?? 'null') as T;
const ok = (r: ActionRun) => expect(r.exitCode, r.stdout).toBe(0);
const printed = (r: ActionRun) =>
  r.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

describe('Kaapana 0.6.0 through the platform URL with an OIDC token', () => {
  it('uploads the example chart, installs it and proves it; a rerun overwrites through the chunked protocol; uninstall removes it', async () => {
    const kc = await keycloak();
    const { p } = await platform({}, kc);
    const fileName = `${chart.name}-${chart.version}.tgz`;
    const r = await runAction(ACTION, { chart: chart.path, install: 'true', ...viaUrl(p, kc) });
    ok(r);
    expect(readFileSync(join(p.extensionsDir, fileName)).equals(readFileSync(chart.path))).toBe(true);
    expect(json(r, 'delivered')).toEqual([
      expect.objectContaining({ name: chart.name, version: chart.version, method: 'upload (/file)' }),
    ]);
    expect(json(r, 'release')).toEqual([
      expect.objectContaining({ name: chart.name, chart: chart.name, version: chart.version, status: 'deployed' }),
    ]);
    expect(p.releases.get(chart.name)?.status).toBe('deployed');
    expect(p.requests.filter((q) => q.via === 'ingress').map((q) => `${q.method} ${q.path}`)).toEqual(
      expect.arrayContaining(['POST /file', 'POST /helm-install-chart', 'GET /view-chart-status', 'GET /extensions']),
    );
    // the token was masked as soon as it arrived and is printed nowhere else
    expect(kc.state.issued.length).toBeGreaterThan(0);
    for (const t of kc.state.issued) {
      expect(r.stdout).toContain(`::add-mask::${t}`);
      expect(printed(r)).not.toContain(t);
    }
    expect(printed(r)).not.toContain('kx-15-client-secret');
    expect(r.summary).toContain('deployed');

    // rerun: /file answers 500 "already exists" at 0.6.0, the chunked protocol overwrites
    const again = await runAction(ACTION, { chart: chart.path, install: 'true', ...viaUrl(p, kc) });
    ok(again);
    expect(again.stdout).toContain('already exists');
    expect(json(again, 'delivered')).toEqual([expect.objectContaining({ method: 'upload (/file_chunks)' })]);
    expect(json(again, 'release')).toEqual([
      expect.objectContaining({ name: chart.name, status: 'deployed', alreadyInstalled: true }),
    ]);

    const un = await runAction(ACTION, { chart: chart.path, uninstall: 'true', ...viaUrl(p, kc) });
    ok(un);
    expect(json(un, 'release')).toEqual([expect.objectContaining({ name: chart.name, status: 'uninstalled' })]);
    expect(p.releases.has(chart.name)).toBe(false);
  });

  it('refuses a chart lacking a dependency before any upload or token request', async () => {
    const kc = await keycloak();
    const { p } = await platform({}, kc);
    const r = await runAction(ACTION, { chart: lacking.path, install: 'true', ...viaUrl(p, kc) });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toContain(
      'lacks dependencies in its archive (example-threshold-segmentation-workflow: dag-installer-chart)',
    );
    expect(p.requests).toEqual([]);
    expect(kc.state.requests).toEqual([]);
    expect(await readdir(p.extensionsDir)).toEqual([]);
  });

  it("names Keycloak's answer to a wrong client secret (401) and sends nothing to the platform", async () => {
    const kc = await keycloak();
    const { p } = await platform({}, kc);
    const r = await runAction(ACTION, {
      chart: chart.path,
      ...viaUrl(p, kc, { 'client-secret': 'kx-15-wrong-secret' }),
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(
      /get an access token \(client_credentials grant, client kaapana\): POST .* answered 401 .*unauthorized_client: Invalid client or Invalid client credentials/,
    );
    expect(printed(r)).not.toContain('kx-15-wrong-secret');
    expect(p.requests).toEqual([]);
  });

  it('refuses a self-signed platform without ca-certificate (TLS verification stays on)', async () => {
    const kc = await keycloak();
    const { p } = await platform({ tls }, kc);
    const inputs = viaUrl(p, kc);
    delete inputs['ca-certificate'];
    const r = await runAction(ACTION, { chart: chart.path, ...inputs });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toMatch(/got no answer \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/);
  });

  it('dry run prints every request without a secret and contacts nothing', async () => {
    const kc = await keycloak();
    const { p } = await platform({}, kc);
    const r = await runAction(ACTION, {
      chart: chart.path,
      install: 'true',
      'oidc-username': 'kaapana',
      'oidc-password': 'kx-15-password',
      'extension-params': 'a: b',
      'dry-run': 'true',
      ...viaUrl(p, kc),
    });
    ok(r);
    expect(r.stdout).toContain(
      `[dry-run] POST ${kc.tokenUrl} (form: grant_type=password, client_id=kaapana, username=kaapana, password=***, client_secret=***`,
    );
    expect(r.stdout).toContain(
      `[dry-run] POST ${p.url}/kube-helm-api/file (multipart file=${chart.name}-${chart.version}.tgz`,
    );
    expect(r.stdout).toContain(
      `[dry-run] POST ${p.url}/kube-helm-api/helm-install-chart {"name":"${chart.name}","version":"${chart.version}","keywords":["kaapanaworkflow","kaapanaexperimental"],"extension_params":{"a":"b"},"blocking":"false"}`,
    );
    expect(printed(r)).not.toContain('kx-15-password');
    expect(printed(r)).not.toContain('kx-15-client-secret');
    expect(p.requests).toEqual([]);
    expect(kc.state.requests).toEqual([]);
  });
  it('an upload whose connection is cut during a chunk names the chunk, leaves nothing listed, and a rerun succeeds', async () => {
    const kc = await keycloak();
    const { p, uploads } = await platform({}, kc);
    const data = await makeChart({
      name: 'kx-15-cut',
      keywords: ['kaapanaworkflow'],
      values: { global: { image: 'kx-15-cut' }, noise: randomText(300_000) },
    });
    const path = join(work, 'kx-15-cut-0.1.0.tgz');
    await writeFile(path, data);
    const inputs = viaUrl(p, kc, {
      chart: path,
      'chunk-size': '65536',
      'upload-threshold': '0',
      'upload-attempts': '2',
    });
    uploads.cutChunk(2, 2); // every attempt loses its connection while sending chunk index 2
    const cut = await runAction(ACTION, inputs);
    expect(cut.exitCode).not.toBe(0);
    expect(cut.stdout).toMatch(
      /upload of kx-15-cut-0\.1\.0\.tgz failed at chunk 3 of \d+ \(index 2\): .*got no answer/,
    );
    expect(cut.stdout).toMatch(
      /upload of kx-15-cut-0\.1\.0\.tgz failed at chunk 3 of \d+ \(index 2\) on attempt 2 of 2: .*got no answer \((ECONNRESET|socket hang up|EPIPE)/,
    );
    expect(p.requests.filter((q) => q.path === '/file_chunks' && q.status === 0)).toHaveLength(2);
    // kube-helm wrote chunks 0 and 1 in place: a truncated archive that `helm show chart` refuses, so the list never shows it
    expect(readFileSync(join(p.extensionsDir, 'kx-15-cut-0.1.0.tgz')).length).toBe(2 * 65536);
    p.extensions.markPending();
    expect(JSON.stringify(await p.extensions.get())).not.toContain('kx-15-cut');
    expect(json(cut, 'delivered') ?? []).toEqual([]);

    const rerun = await runAction(ACTION, inputs);
    ok(rerun);
    expect(readFileSync(join(p.extensionsDir, 'kx-15-cut-0.1.0.tgz')).equals(data)).toBe(true);
    expect(json(rerun, 'delivered')).toEqual([
      expect.objectContaining({ name: 'kx-15-cut', method: 'upload (/file_chunks)' }),
    ]);
    p.extensions.markPending();
    expect(JSON.stringify(await p.extensions.get())).toContain('kx-15-cut');
  });
});

describe('tokens that expire (the core client in-process)', () => {
  it('renews an expired token after a 401 with the refresh token, and falls back to a new grant when that expired too', async () => {
    const kc = await keycloak();
    const { p } = await platform({ tls }, kc);
    const redactor = new SecretRedactor();
    const masked: string[] = [];
    const tokens = new TokenSource({
      tokenUrl: kc.tokenUrl,
      clientId: 'kaapana',
      clientSecret: 'kx-15-client-secret',
      username: 'kaapana',
      password: 'kx-15-password',
      ca: tls.cert,
      redactor,
      mask: (s) => masked.push(s),
    });
    const http = new PlatformHttp(
      {
        baseUrl: `${p.url}/kube-helm-api`,
        ca: tls.cert,
        headers: async () => ({ authorization: `Bearer ${await tokens.token()}` }),
      },
      redactor,
    );
    const client = new KubeHelmClient(http, '0.6.0', tokens);
    try {
      expect(await client.extensions()).toEqual([]);
      kc.expireAccessTokens();
      expect(await client.extensions()).toEqual([]);
      expect(kc.state.requests.map((q) => `${q.grant} ${q.status}`)).toEqual(['password 200', 'refresh_token 200']);
      expect(p.requests.filter((q) => q.status === 401)).toHaveLength(1);
      expect(masked).toEqual(expect.arrayContaining(kc.state.issued));
    } finally {
      http.close();
      tokens.close();
    }
  });
});

describe('Kaapana 0.6.0 through the API server service proxy (real kubectl)', () => {
  const images: string[] = [];
  afterAll(() => removeImages(images));

  it('uploads a real `docker save` tar with the chunked protocol and imports it, then the chart', async () => {
    // Never skipped: run through scripts/with-services.sh, which starts dockerd.
    if (!dockerAvailable()) throw new Error('no Docker engine: run through scripts/with-services.sh');
    const { p, uploads } = await platform();
    const ref = `${uniqueName('kx-15-image')}:0.1.0`;
    images.push(ref);
    const ctx = await busyboxContext(
      join(work, uniqueName('ctx')),
      [
        'FROM scratch',
        'COPY busybox /bin/busybox',
        'LABEL IMAGE="kx-15-image"',
        'CMD ["/bin/busybox", "true"]',
        '',
      ].join('\n'),
    );
    execFileSync('docker', ['build', '-q', '-t', ref, ctx], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      stdio: 'pipe',
    });
    const r = await runAction(ACTION, {
      chart: chart.path,
      images: ref,
      kubeconfig: p.api.kubeconfig(),
      'chunk-size': String(256 * 1024),
      timeout: '20s',
    });
    ok(r);
    const tar = `${ref.split(':')[0]}-0.1.0.tar`;
    const imported = json<Array<{ image: string; file: string; bytes: number; reply: string }>>(r, 'imported');
    expect(imported).toEqual([
      expect.objectContaining({ image: ref, file: tar, reply: `Successfully imported container ${tar}` }),
    ]);
    expect(imported[0]!.bytes).toBeGreaterThan(256 * 1024); // busybox: several chunks
    expect(uploads.containerd.has(`docker.io/library/${ref}`)).toBe(true);
    expect(p.requests.filter((q) => q.path === '/file_chunks').length).toBe(
      Math.ceil(imported[0]!.bytes / (256 * 1024)),
    );
    expect(p.requests.every((q) => q.via === 'proxy')).toBe(true);
    expect(json(r, 'delivered')).toEqual([expect.objectContaining({ name: chart.name })]);
    expect(r.stdout).toContain('kubectl');
    expect(r.summary).toContain(tar);
  });

  it('an interrupted chunk upload starts again from init and delivers the exact bytes; when it keeps failing the chunk is named', async () => {
    const { p, uploads } = await platform();
    const data = await makeChart({
      name: 'kx-15-big',
      keywords: ['kaapanaworkflow'],
      values: { global: { blob: 'x'.repeat(64 * 1024) }, noise: randomText(200_000) },
    });
    const path = join(work, 'kx-15-big-0.1.0.tgz');
    await writeFile(path, data);
    uploads.failChunk(1, 1);
    const r = await runAction(ACTION, {
      chart: path,
      kubeconfig: p.api.kubeconfig(),
      'chunk-size': '65536',
      'upload-threshold': '0',
      timeout: '20s',
    });
    ok(r);
    expect(r.stdout).toMatch(
      /failed at chunk 2 of \d+ \(index 1\).*starting again from file_chunks_init \(attempt 2 of 3\)/,
    );
    expect(readFileSync(join(p.extensionsDir, 'kx-15-big-0.1.0.tgz')).equals(data)).toBe(true);

    uploads.failChunk(2, 5);
    const bad = await runAction(ACTION, {
      chart: path,
      kubeconfig: p.api.kubeconfig(),
      'chunk-size': '65536',
      'upload-threshold': '0',
      'upload-attempts': '2',
      timeout: '20s',
    });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stdout).toMatch(
      /upload of kx-15-big-0\.1\.0\.tgz failed at chunk 3 of \d+ \(index 2\) on attempt 2 of 2: .*answered 500.*File upload failed.*partial kx-15-big-0\.1\.0\.tgz/,
    );
  });

  it('sends the Project header for a kaapanamultiinstallable chart and reports the suffixed release; refuses without project', async () => {
    const { p } = await platform();
    const data = await makeChart({
      name: 'kx-15-multi',
      keywords: ['kaapanaapplication', 'kaapanamultiinstallable'],
      dependencies: ['kaapana-library-chart'],
      subcharts: [{ name: 'kaapana-library-chart' }],
    });
    const path = join(work, 'kx-15-multi-0.1.0.tgz');
    await writeFile(path, data);
    const refused = await runAction(ACTION, { chart: path, install: 'true', kubeconfig: p.api.kubeconfig() });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stdout).toContain('kx-15-multi is kaapanamultiinstallable');
    expect(p.requests).toEqual([]);
    const r = await runAction(ACTION, {
      chart: path,
      install: 'true',
      project: '{"id": 7, "name": "admin", "external_id": "x", "description": "d"}',
      kubeconfig: p.api.kubeconfig(),
      timeout: '20s',
    });
    ok(r);
    const [release] = json<Array<{ name: string; status: string }>>(r, 'release');
    expect(release!.name).toMatch(/^kx-15-multi-[0-9a-f]{20}$/);
    expect(release!.status).toBe('deployed');
    expect(p.releases.get(release!.name)?.values).toEqual({ global: { project_id: 7, project_name: 'admin' } });
  });
});

describe('Kaapana 0.1.x: copy into the extensions directory, install through the service proxy', () => {
  it('copies, installs (200 "Trying to install" proves nothing: waits for the status), uninstalls with GET', async () => {
    const p = await startKaapanaPlatform({ generation: '0.1.x', timing: TIMING });
    open.push(p);
    const base = {
      chart: chart.path,
      method: 'copy',
      'extensions-dir': p.extensionsDir,
      'platform-version': '0.1.3',
      kubeconfig: p.api.kubeconfig(),
      timeout: '20s',
    };
    const r = await runAction(ACTION, { ...base, install: 'true' });
    ok(r);
    expect(r.stdout).toContain('Trying to install chart with');
    expect(json(r, 'release')).toEqual([expect.objectContaining({ name: chart.name, status: 'deployed' })]);
    expect(p.requests.map((q) => q.path)).toEqual(
      expect.arrayContaining(['/helm-install-chart', '/view-chart-status', '/extensions']),
    );
    const un = await runAction(ACTION, { ...base, uninstall: 'true' });
    ok(un);
    expect(p.requests.some((q) => q.method === 'GET' && q.path === '/helm-delete-chart')).toBe(true);
    expect(p.releases.has(chart.name)).toBe(false);
  });
});

function randomText(n: number): string {
  let s = '';
  while (s.length < n) s += Math.random().toString(36).slice(2);
  return s.slice(0, n);
}

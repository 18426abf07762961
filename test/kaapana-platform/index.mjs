// A simulated Kaapana platform for tests and the demo: kube-helm (both generations) behind the HTTPS
// fake Kubernetes API server of test/kube (real kubectl, token auth, service proxy), on a direct
// URL standing for the `/kube-helm-api` ingress (bearer token), with the update-collections-chart's
// copy Jobs pulling collection images from the real registry into `<fastDataDir>/extensions`.
// See README.md in this folder for what is simulated, the sources, and how to add endpoints.
//
//   const platform = await startKaapanaPlatform({ generation: '0.6.0', collections: [ref] });
//   platform.api.kubeconfig()             // for kubectl / action-restart-pod
//   platform.url, platform.token          // the ingress: `${url}/kube-helm-api/extensions`
//   platform.extensionsDir                // <FAST_DATA_DIR>/extensions
//   platform.addRoute('POST', '/file', handler)
//   await platform.close()
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKubeApi } from '../kube/fake-api-server.mjs';
import { ExtensionsList } from './extensions-list.mjs';
import { generationOf } from './generations.mjs';
import { NodeImages } from './image-pull.mjs';
import { routes01, routes06 } from './routes.mjs';
import { installCollectionRelease } from './update-collections.mjs';

export { collectionReleaseName, cureInvalidName, GENERATIONS } from './generations.mjs';
export { installCheck, loadArchiveBuffer, missingDependencies } from './chart-check.mjs';
export { helmInstallChart } from './routes.mjs';

/** Real Kaapana's timings (ms); tests pass smaller ones through `timing`. */
export const REAL_TIMING = {
  /** refresh_delay of the /extensions cache (utils.py 0.1.x, helm_helper.py 0.6.0). */
  refreshDelayMs: 30_000,
  /** 0.1.x main.py RepeatedTimer(5, get_extensions_list). */
  listTimerMs: 5_000,
  /** How long the copy container runs after the pull (the simulator's own reload work). */
  copyMs: 1_000,
  /** The kubelet's first image pull back-off (10 s). */
  pullBackoffMs: 10_000,
  /** `helm uninstall --wait --timeout 5m`: how long helm waits for the post-delete hook. */
  hookTimeoutMs: 300_000,
};

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Fault injection (platform.cutRequest): takes the first bytes of the body, then drops the connection unanswered. */
async function cutConnection(req) {
  await new Promise((resolve) => {
    req.once('data', resolve);
    req.once('end', resolve);
  });
  req.socket.destroy();
}

function reply(res, out) {
  const status = out?.status ?? 200;
  const body = out?.body ?? '';
  const isBuf = Buffer.isBuffer(body);
  const textBody = isBuf ? body : typeof body === 'string' ? body : JSON.stringify(body);
  const type = isBuf
    ? 'application/octet-stream'
    : typeof body === 'string'
      ? 'text/plain; charset=utf-8'
      : 'application/json';
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(textBody),
    ...(out?.headers ?? {}),
  });
  res.end(textBody);
}

function listen(handler, tls) {
  const onRequest = (req, res) => {
    handler(req, res).catch((e) => {
      if (!res.headersSent) reply(res, { status: 500, body: `simulator bug: ${e?.stack ?? e}` });
      else res.end();
    });
  };
  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, onRequest) : createServer(onRequest);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/**
 * Starts a simulated platform. Options:
 *  - generation: '0.1.x' | '0.6.0' (default '0.6.0')
 *  - collections: collection image refs (KAAPANA_COLLECTIONS), e.g. `127.0.0.1:5000/x/kaapana-extension-collection:0.6.0`
 *  - initialInstall: run the first update-collections install at start, as init_collections.py
 *    does when the platform is deployed (default true)
 *  - timing: overrides of REAL_TIMING
 *  - token: the ingress bearer token (random by default); api: an already started fake API server
 *  - fastDataDir: where `extensions/` lives (default: a new temp dir, removed on close)
 *  - authorize(token): 'ok' | 'expired' | 'unknown' — further bearer tokens the ingress accepts
 *    (e.g. keycloak.mjs's check, for tokens that expire); tls: { key, cert } serves the ingress over HTTPS
 */
export async function startKaapanaPlatform(options = {}) {
  const gen = generationOf(options.generation ?? '0.6.0');
  const ownsApi = !options.api;
  const api = options.api ?? (await startFakeKubeApi({ readyMs: 100 }));
  const ownsData = !options.fastDataDir;
  const fastDataDir = options.fastDataDir ?? (await mkdtemp(join(tmpdir(), `kx-kaapana-${gen.generation}-`)));
  const extensionsDir = join(fastDataDir, 'extensions');
  await mkdir(extensionsDir, { recursive: true });
  const logLines = [];
  const collections = options.collections ?? [];

  const platform = {
    gen,
    generation: gen.generation,
    api,
    token: options.token ?? randomBytes(20).toString('hex'),
    url: '',
    /** URL of the kube-helm pod itself (port 5000; what the service proxy forwards to). */
    podUrl: '',
    fastDataDir,
    extensionsDir,
    /** KAAPANA_COLLECTIONS as the deployment sets it: every ref followed by `;`. */
    kaapanaCollections: collections.map((c) => `${c};`).join(''),
    offlineMode: options.offlineMode ?? false,
    timing: { ...REAL_TIMING, ...(options.timing ?? {}) },
    /** helm releases in the helm namespace: name → { name, namespace, chart, status, revision, updated, values, jobs, extension? }. */
    releases: new Map(),
    node: new NodeImages(),
    /** kube-helm's log (and the simulated kubelet's / helm's messages), in order. */
    logLines,
    log(line) {
      logLines.push(`${new Date().toISOString()} ${line}`);
    },
    routes: new Map(Object.entries(gen.generation === '0.1.x' ? routes01() : routes06())),
    addRoute(method, path, handler) {
      platform.routes.set(`${method.toUpperCase()} ${path}`, handler);
    },
    /** Every request kube-helm answered: { method, path, status, via: 'proxy' | 'ingress' } (status 0: cut). */
    requests: [],
    /** Fault injection: (method, path) => true drops that request's connection mid-body (see upload-routes.mjs cutChunk). */
    cutRequest: undefined,
    /** The copy Jobs (copy-kube-helm-collections-…) that exist now, oldest first. */
    copyJobs() {
      return api
        .list('jobs', gen.jobNamespace)
        .filter((j) => j.metadata.name.startsWith('copy-kube-helm-collections-'));
    },
    /** Change what KAAPANA_COLLECTIONS lists (a redeploy of kube-helm with other collections). */
    setCollections(refs) {
      platform.kaapanaCollections = refs.map((c) => `${c};`).join('');
    },
    async dispatch(req) {
      const handler = platform.routes.get(`${req.method} ${req.path}`);
      if (!handler) {
        const allowed = [...platform.routes.keys()].some((k) => k.endsWith(` ${req.path}`));
        return allowed
          ? { status: 405, body: { detail: 'Method Not Allowed' } }
          : { status: 404, body: { detail: 'Not Found' } };
      }
      return handler(req, platform);
    },
    async close() {
      platform.extensions.close();
      await Promise.all(servers.map((s) => new Promise((r) => (s.closeAllConnections?.(), s.close(() => r())))));
      if (ownsApi) await api.close();
      if (ownsData) await rm(fastDataDir, { recursive: true, force: true });
    },
  };
  platform.extensions = new ExtensionsList(platform);

  const toReq = async (req, path) => {
    const url = new URL(req.url ?? '/', 'http://kube-helm');
    return {
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      headers: req.headers,
      body: await readBody(req),
    };
  };
  // The kube-helm pod's port 5000: no authentication inside the cluster.
  const pod = await listen(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://kube-helm').pathname;
    if (platform.cutRequest?.(req.method, path)) {
      platform.requests.push({ method: req.method, path, status: 0, via: 'proxy' });
      return cutConnection(req);
    }
    const out = await platform.dispatch(await toReq(req, path));
    platform.requests.push({ method: req.method, path, status: out?.status ?? 200, via: 'proxy' });
    reply(res, out);
  });
  // The ingress /kube-helm-api (Traefik strip-prefix middleware) behind the platform's login.
  const ingress = await listen(async (req, res) => {
    const full = new URL(req.url ?? '/', 'http://kube-helm').pathname;
    if (!full.startsWith('/kube-helm-api/') && full !== '/kube-helm-api')
      return reply(res, { status: 404, body: '404 page not found' });
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const valid = bearer !== undefined && (bearer === platform.token || options.authorize?.(bearer) === 'ok');
    if (!valid) {
      await readBody(req);
      platform.requests.push({ method: req.method, path: full, status: 401, via: 'ingress' });
      return reply(res, {
        status: 401,
        body: { detail: 'Not authenticated' },
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    const path = full.slice('/kube-helm-api'.length) || '/';
    if (platform.cutRequest?.(req.method, path)) {
      platform.requests.push({ method: req.method, path, status: 0, via: 'ingress' });
      return cutConnection(req);
    }
    const out = await platform.dispatch(await toReq(req, path));
    platform.requests.push({ method: req.method, path, status: out?.status ?? 200, via: 'ingress' });
    reply(res, out);
  }, options.tls);
  const servers = [pod, ingress];
  platform.podUrl = `http://127.0.0.1:${pod.address().port}`;
  platform.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${ingress.address().port}`;

  // kube-helm's Deployment and Service (kube-helm-chart/templates/deployment.yaml, service.yaml).
  api.seedDeployment({ name: 'kube-helm-deployment', namespace: gen.kubeHelmNamespace, labels: gen.kubeHelmLabels });
  api.seedService({
    name: 'kube-helm-service',
    namespace: gen.kubeHelmNamespace,
    ports: [{ port: 5000, protocol: 'TCP' }],
    labels: gen.kubeHelmLabels,
    selector: gen.kubeHelmLabels,
    target: platform.podUrl,
  });

  if (options.initialInstall ?? true) for (const ref of collections) installCollectionRelease(platform, ref);
  return platform;
}

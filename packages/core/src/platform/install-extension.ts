// install-extension: deliver chart archives (and image tars) to a running Kaapana platform, then
// optionally install the extension and prove it, or uninstall it. Owns the order of things and the
// checks before any byte leaves the runner: every chart loads and carries its dependencies, the
// method fits the platform generation (0.1.x has no upload), a multi-installable chart has a
// project for the Project header. Delivery: `upload` (kube-helm `/file`, the chunked protocol above
// a size threshold or when `/file` refuses to overwrite, whole-upload retries from init) or `copy`
// (a local directory or SSH, atomic). Proof: an install answer proves nothing (0.1.x answers before
// helm ran; `/extensions` is cached up to 30 s), so it polls `/view-chart-status` until `deployed`
// and `/extensions` until the release shows installed, bounded by the timeout. Dry run: the
// requests it would make, with no secret, and nothing sent.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KxError, errorMessage } from '../errors/index.js';
import { DockerCli } from '../images/docker.js';
import { readChartArchives, type ChartArchive } from './chart-files.js';
import { copyToLocalDir, SshCopier, type SshTarget } from './copy.js';
import { PlatformError, PlatformHttp, SecretRedactor } from './http.js';
import { imageTarNames, saveImage } from './image-tars.js';
import { extensionState, KubeHelmClient, ChunkError, type Generation } from './kube-helm.js';
import { serviceProxyBaseUrl, startKubeProxy, kubeProxyArgs, type KubeProxy } from './kube-proxy.js';
import { TokenSource } from './oidc.js';

export type DeliveryMethod = 'upload' | 'copy';

export type PlatformAccess =
  | {
      kind: 'service-proxy';
      kubectl: string;
      kubeconfig?: string;
      context?: string;
      /** kube-helm's namespace. */
      namespace: string;
      /** `kube-helm-service:5000`. */
      service: string;
      /** Private dir for the proxy's socket (the kubeconfig's dir). */
      dir: string;
    }
  | {
      kind: 'url';
      /** Platform URL, e.g. https://kaapana.example; kube-helm is below `<url>/kube-helm-api`. */
      platformUrl: string;
      ca?: string;
      tokenUrl: string;
      clientId: string;
      clientSecret?: string;
      username?: string;
      password?: string;
    };

export interface InstallExtensionOptions {
  charts: string[];
  method: DeliveryMethod;
  extensionsDir: string;
  /** copy over SSH when set, else into extensionsDir on this machine. */
  ssh?: SshTarget;
  images: string[];
  platform?: PlatformAccess;
  generation: Generation;
  install: boolean;
  uninstall: boolean;
  releaseName?: string;
  extensionParams?: Record<string, unknown>;
  blocking?: boolean;
  project?: Record<string, unknown>;
  /** Bytes per chunk of the chunked protocol. */
  chunkSize: number;
  /** Charts up to this size go through `/file`. */
  uploadThreshold: number;
  /** Whole-upload attempts of the chunked protocol. */
  uploadAttempts: number;
  timeoutMs: number;
  /** Longest pause between two looks at the platform while waiting (default 2000). */
  pollMs?: number;
  dryRun: boolean;
  log: (line: string) => void;
  /** Every secret that arrives (tokens), to be masked by the caller (core.setSecret). */
  mask?: (secret: string) => void;
  docker?: DockerCli;
  /** Where image tars are written (default a temp dir, removed afterwards). */
  workDir?: string;
}

export interface Delivered {
  file: string;
  name: string;
  version: string;
  method: string;
  to: string;
  bytes: number;
}

export interface Imported {
  image: string;
  file: string;
  bytes: number;
  saveSeconds: number;
  uploadSeconds: number;
  reply: string;
}

export interface ReleaseInfo {
  name: string;
  chart: string;
  version: string;
  status: string;
  alreadyInstalled?: boolean;
  reply?: string;
}

export interface InstallExtensionResult {
  dryRun: boolean;
  generation: Generation;
  route: string;
  delivered: Delivered[];
  imported: Imported[];
  releases: ReleaseInfo[];
  uninstalled: ReleaseInfo[];
  /** Requests made (or, in a dry run, that would be made); secrets never appear. */
  requests: string[];
}

const MULTI = 'kaapanamultiinstallable';

function describeRoute(p: PlatformAccess | undefined): string {
  if (!p) return 'none';
  if (p.kind === 'url')
    return `${p.platformUrl.replace(/\/+$/, '')}/kube-helm-api (OIDC token from ${p.tokenUrl}, client ${p.clientId}, ${p.username ? 'password' : 'client_credentials'} grant)`;
  return `API server service proxy ${serviceProxyBaseUrl(p.namespace, p.service).replace('http://localhost', '')} (kubectl proxy)`;
}

function baseUrl(p: PlatformAccess): string {
  return p.kind === 'url'
    ? `${p.platformUrl.replace(/\/+$/, '')}/kube-helm-api`
    : serviceProxyBaseUrl(p.namespace, p.service);
}

/** Refusals that need no platform: made before anything is sent or written. */
export function checkPlan(o: InstallExtensionOptions, charts: ChartArchive[]): void {
  if (o.install && o.uninstall) throw new KxError('install and uninstall are both true: choose one');
  if (!o.uninstall && charts.length === 0)
    throw new KxError("no chart given: set chart to one or more .tgz archives (e.g. package-chart's output)");
  if (o.uninstall && charts.length === 0 && !o.releaseName)
    throw new KxError('uninstall needs the release: set release-name, or chart to name the extension');
  if (o.releaseName && charts.length > 1)
    throw new KxError('release-name names one release, but several charts were given');
  if (!o.uninstall && o.method === 'upload' && !o.platform)
    throw new KxError(
      'method upload needs the platform: set platform-url (with client-id/client-secret) or kubeconfig',
    );
  if ((o.install || o.uninstall) && !o.platform)
    throw new KxError(
      `${o.install ? 'install' : 'uninstall'} needs the platform: set platform-url (with client-id/client-secret) or kubeconfig`,
    );
  if (o.images.length && !o.platform)
    throw new KxError('images are uploaded to kube-helm: set platform-url or kubeconfig');
  if (o.generation === '0.1.x') {
    if (!o.uninstall && o.method === 'upload')
      throw new KxError(
        'Kaapana 0.1.x has no upload endpoint: use method copy (into <FAST_DATA_DIR>/extensions, locally or over SSH)',
      );
    if (o.images.length)
      throw new KxError(
        'Kaapana 0.1.x cannot import image tars (no /import-container): push the images to the registry the platform pulls from',
      );
  }
  if (o.chunkSize < 1024) throw new KxError(`chunk-size ${o.chunkSize} is too small (at least 1024 bytes)`);
  if (o.install && o.generation === '0.6.0') {
    const multi = charts.filter((c) => c.multiInstallable);
    if (multi.length && !o.project) {
      throw new KxError(
        `${multi.map((c) => c.name).join(', ')} ${multi.length > 1 ? 'are' : 'is'} ${MULTI}: kube-helm 0.6.0 reads the Project header for it; set project (JSON with id and name of the Kaapana project)`,
      );
    }
  }
}

export async function installExtension(o: InstallExtensionOptions): Promise<InstallExtensionResult> {
  const charts = o.charts.length ? await readChartArchives(o.charts) : [];
  checkPlan(o, charts);
  const result: InstallExtensionResult = {
    dryRun: o.dryRun,
    generation: o.generation,
    route: describeRoute(o.platform),
    delivered: [],
    imported: [],
    releases: [],
    uninstalled: [],
    requests: [],
  };
  if (o.dryRun) {
    dryRunPlan(o, charts, result);
    for (const line of result.requests) o.log(`[dry-run] ${line}`);
    return result;
  }

  const redactor = new SecretRedactor();
  let proxy: KubeProxy | undefined;
  let tokens: TokenSource | undefined;
  let http: PlatformHttp | undefined;
  let ssh: SshCopier | undefined;
  try {
    let client: KubeHelmClient | undefined;
    if (o.platform) {
      const p = o.platform;
      if (p.kind === 'service-proxy') {
        proxy = await startKubeProxy({
          kubectl: p.kubectl,
          ...(p.kubeconfig ? { kubeconfig: p.kubeconfig } : {}),
          ...(p.context ? { context: p.context } : {}),
          dir: p.dir,
        });
        o.log(`$ ${proxy.command}`);
        http = new PlatformHttp({ baseUrl: baseUrl(p), socketPath: proxy.socketPath }, redactor);
      } else {
        const source = new TokenSource({
          tokenUrl: p.tokenUrl,
          clientId: p.clientId,
          redactor,
          ...(p.clientSecret ? { clientSecret: p.clientSecret } : {}),
          ...(p.username ? { username: p.username, password: p.password ?? '' } : {}),
          ...(p.ca ? { ca: p.ca } : {}),
          ...(o.mask ? { mask: o.mask } : {}),
        });
        tokens = source;
        await source.token();
        o.log(`got an access token from ${p.tokenUrl} (${source.grant} grant, client ${p.clientId})`);
        http = new PlatformHttp(
          {
            baseUrl: baseUrl(p),
            ...(p.ca ? { ca: p.ca } : {}),
            headers: async () => ({ authorization: `Bearer ${await source.token()}` }),
          },
          redactor,
        );
      }
      client = new KubeHelmClient(http, o.generation, tokens);
    }
    const logRequest = (line: string) => {
      result.requests.push(line);
      o.log(line);
    };

    if (o.uninstall) {
      const c = client!;
      const targets = o.releaseName
        ? [{ release: o.releaseName, chart: charts[0]?.name ?? o.releaseName, version: charts[0]?.version }]
        : charts.map((ch) => ({ release: ch.name, chart: ch.name, version: ch.version }));
      for (const t of targets) {
        logRequest(
          `uninstall ${t.release}${t.version ? ` ${t.version}` : ''}: ${o.generation === '0.1.x' ? 'GET' : 'POST'} ${http!.url('/helm-delete-chart')}`,
        );
        const reply = await c.uninstall(t.release, t.version);
        o.log(`kube-helm: ${reply.trim()}`);
        await waitUninstalled(c, t.release, o);
        result.uninstalled.push({
          name: t.release,
          chart: t.chart,
          version: t.version ?? '',
          status: 'uninstalled',
          reply: reply.trim(),
        });
      }
      return result;
    }

    // Charts
    for (const chart of charts) {
      if (o.method === 'copy') {
        if (o.ssh) {
          ssh ??= new SshCopier(o.ssh);
          logRequest(`copy ${chart.fileName} over SSH: ${ssh.commandLine(o.extensionsDir, chart.fileName)}`);
          const to = await ssh.copy(o.extensionsDir, chart.fileName, chart.data);
          result.delivered.push({
            file: chart.path,
            name: chart.name,
            version: chart.version,
            method: 'copy (ssh)',
            to,
            bytes: chart.data.length,
          });
        } else {
          logRequest(`copy ${chart.fileName} to ${o.extensionsDir} (temp name, then rename)`);
          const to = await copyToLocalDir(o.extensionsDir, chart.fileName, chart.data);
          result.delivered.push({
            file: chart.path,
            name: chart.name,
            version: chart.version,
            method: 'copy (local)',
            to,
            bytes: chart.data.length,
          });
        }
        o.log(`delivered ${chart.fileName} → ${result.delivered.at(-1)!.to}`);
        continue;
      }
      const c = client!;
      let how = '/file';
      let written = false;
      if (chart.data.length <= o.uploadThreshold) {
        logRequest(
          `upload ${chart.fileName}: POST ${http!.url('/file')} (multipart file, application/gzip, ${chart.data.length} bytes)`,
        );
        const r = await c.uploadFile(chart.fileName, chart.data, 'application/gzip');
        written = r.written;
        if (!written)
          o.log(
            `kube-helm keeps an existing ${chart.fileName} (/file never overwrites at 0.6.0: "${r.reply.trim()}"); uploading it again with the chunked protocol, which does`,
          );
      }
      if (!written) {
        how = '/file_chunks';
        await chunkedUpload(c, chart.fileName, chart.data, o, logRequest);
      }
      result.delivered.push({
        file: chart.path,
        name: chart.name,
        version: chart.version,
        method: `upload (${how})`,
        to: `${http!.url('')} → extensions/${chart.fileName}`,
        bytes: chart.data.length,
      });
      o.log(`delivered ${chart.fileName} (${chart.data.length} bytes) with ${how}`);
    }

    // Images
    if (o.images.length) {
      const c = client!;
      const docker = o.docker ?? new DockerCli();
      const dir = o.workDir ?? (await mkdtemp(join(process.env['RUNNER_TEMP'] || tmpdir(), 'kx-images-')));
      try {
        const names = imageTarNames(o.images);
        for (const ref of o.images) {
          const fileName = names.get(ref)!;
          logRequest(`docker save -o ${join(dir, fileName)} ${ref}`);
          const saved = await saveImage(docker, ref, dir, fileName, o.log);
          const data = await readFile(saved.path);
          const start = Date.now();
          await chunkedUpload(c, fileName, data, o, logRequest);
          const uploadMs = Date.now() - start;
          logRequest(`import ${fileName}: GET ${http!.url('/import-container', { filename: fileName })}`);
          const reply = await c.importContainer(fileName);
          o.log(`kube-helm: ${reply.trim()}`);
          result.imported.push({
            image: ref,
            file: fileName,
            bytes: saved.size,
            saveSeconds: saved.saveMs / 1000,
            uploadSeconds: uploadMs / 1000,
            reply: reply.trim(),
          });
          await rm(saved.path, { force: true });
        }
      } finally {
        if (!o.workDir) await rm(dir, { recursive: true, force: true });
      }
    }

    // Install and prove it, or prove the listing.
    if (client) {
      for (const chart of charts) {
        if (!o.install) {
          await waitListed(client, chart, o);
          continue;
        }
        logRequest(
          `install ${chart.name} ${chart.version}: POST ${http!.url('/helm-install-chart')}${chart.multiInstallable && o.generation === '0.6.0' ? ' (Project header)' : ''}`,
        );
        const answer = await client.install({
          name: chart.name,
          version: chart.version,
          keywords: chart.keywords,
          ...(o.extensionParams ? { extensionParams: o.extensionParams } : {}),
          ...(o.blocking !== undefined ? { blocking: o.blocking } : {}),
          ...(o.releaseName ? { releaseName: o.releaseName } : {}),
          ...(o.project ? { project: o.project } : {}),
        });
        o.log(`kube-helm: ${answer.reply}`);
        const status = await waitInstalled(client, chart, answer.release, o);
        result.releases.push({
          name: answer.release,
          chart: chart.name,
          version: chart.version,
          status,
          alreadyInstalled: answer.alreadyInstalled,
          reply: answer.reply,
        });
      }
    }
    return result;
  } finally {
    http?.close();
    tokens?.close();
    await ssh?.close();
    await proxy?.stop();
  }
}

/** The chunked protocol with whole-upload retries (kube-helm cannot resume: a new init truncates). */
async function chunkedUpload(
  c: KubeHelmClient,
  fileName: string,
  data: Buffer,
  o: InstallExtensionOptions,
  logRequest: (l: string) => void,
): Promise<void> {
  const endIndex = Math.ceil(data.length / o.chunkSize);
  logRequest(
    `upload ${fileName}: POST ${c.http.url('/file_chunks_init')} then ${endIndex} × POST ${c.http.url('/file_chunks')} (${data.length} bytes, chunks of ${o.chunkSize})`,
  );
  for (let attempt = 1; ; attempt++) {
    try {
      let lastTenth = -1;
      await c.uploadChunks(fileName, data, o.chunkSize, (p) => {
        const tenth = Math.floor(((p.index + 1) * 10) / p.endIndex);
        if (p.endIndex >= 10 && tenth !== lastTenth) {
          lastTenth = tenth;
          o.log(`  ${fileName}: chunk ${p.index + 1}/${p.endIndex} (${Math.round(p.bytes / 1048576)} MiB)`);
        }
      });
      return;
    } catch (e) {
      const retryable =
        e instanceof PlatformError &&
        (e.status === undefined || e.status >= 500) &&
        !(e instanceof ChunkError && /another upload/.test(e.message));
      const at = e instanceof ChunkError ? ` at chunk ${e.index + 1} of ${e.endIndex} (index ${e.index})` : '';
      if (!retryable || attempt >= o.uploadAttempts) {
        throw new KxError(
          `upload of ${fileName} failed${at}${attempt > 1 ? ` on attempt ${attempt} of ${o.uploadAttempts}` : ''}: ${errorMessage(e)}. kube-helm writes chunks in place: the platform's extensions directory may now hold a partial ${fileName}; a rerun overwrites it`,
        );
      }
      o.log(
        `upload of ${fileName} failed${at}: ${errorMessage(e)}; starting again from file_chunks_init (attempt ${attempt + 1} of ${o.uploadAttempts})`,
      );
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function poll<T>(
  o: InstallExtensionOptions,
  what: string,
  check: () => Promise<{ done: boolean; value: T; state: string }>,
): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  let last = '';
  // Quick first looks (a small platform answers at once), then every pollMs (default 2 s).
  let delay = 200;
  for (;;) {
    let r: { done: boolean; value: T; state: string } | undefined;
    try {
      r = await check();
    } catch (e) {
      if (e instanceof PlatformError && (e.status === undefined || e.status >= 500)) last = errorMessage(e);
      else throw e;
    }
    if (r?.done) return r.value;
    if (r && r.state !== last) {
      last = r.state;
      o.log(`  ${what}: ${r.state}`);
    }
    if (Date.now() >= deadline)
      throw new KxError(`${what}: not done after ${Math.round(o.timeoutMs / 1000)} s; last seen: ${last || 'nothing'}`);
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
    delay = Math.min(delay * 1.5, o.pollMs ?? 2000);
  }
}

async function waitListed(c: KubeHelmClient, chart: ChartArchive, o: InstallExtensionOptions): Promise<void> {
  await poll(
    o,
    `${chart.name} ${chart.version} in GET /extensions (kube-helm caches the list up to 30 s)`,
    async () => {
      const s = extensionState(await c.extensions(), chart.name, chart.version);
      return { done: s.listed, value: undefined, state: s.listed ? 'listed' : 'not listed yet' };
    },
  );
  o.log(`${chart.name} ${chart.version} is listed in /extensions`);
}

async function waitInstalled(
  c: KubeHelmClient,
  chart: ChartArchive,
  release: string,
  o: InstallExtensionOptions,
): Promise<string> {
  return await poll(
    o,
    `release ${release} deployed (GET /view-chart-status) and installed (GET /extensions)`,
    async () => {
      const st = await c.chartStatus(release);
      if (st && (st.status === 'failed' || st.status === 'superseded')) {
        throw new KxError(
          `install ${chart.name} ${chart.version}: helm reports release ${release} ${st.status}: ${JSON.stringify(st.raw).slice(0, 500)}`,
        );
      }
      const deployed = st?.status === 'deployed';
      const installed = deployed
        ? extensionState(await c.extensions(), chart.name, chart.version, release).installed
        : false;
      const state = `helm status ${st ? st.status || '(none)' : 'not found'}, /extensions ${installed ? 'installed' : 'not installed yet'}`;
      return { done: deployed && installed, value: st?.status ?? '', state };
    },
  );
}

async function waitUninstalled(c: KubeHelmClient, release: string, o: InstallExtensionOptions): Promise<void> {
  await poll(o, `release ${release} gone (GET /view-chart-status answers 404)`, async () => {
    const st = await c.chartStatus(release);
    return { done: st === undefined, value: undefined, state: st ? `helm status ${st.status}` : 'gone' };
  });
}

function dryRunPlan(o: InstallExtensionOptions, charts: ChartArchive[], result: InstallExtensionResult): void {
  const lines = result.requests;
  const p = o.platform;
  const base = p ? baseUrl(p) : '';
  if (p?.kind === 'url') {
    lines.push(
      `POST ${p.tokenUrl} (form: grant_type=${p.username ? 'password' : 'client_credentials'}, client_id=${p.clientId}${p.username ? `, username=${p.username}, password=***` : ''}${p.clientSecret ? ', client_secret=***' : ''}; the token is masked and sent as "Authorization: Bearer ***")`,
    );
  } else if (p) {
    lines.push(
      `kubectl ${kubeProxyArgs(p, join(p.dir, 'kube-proxy.sock')).join(' ')} (credentials from the kubeconfig; requests go to ${base})`,
    );
  }
  if (o.uninstall) {
    const rel = o.releaseName ?? charts[0]?.name ?? '';
    lines.push(
      o.generation === '0.1.x'
        ? `GET ${base}/helm-delete-chart?release_name=${rel}`
        : `POST ${base}/helm-delete-chart {"release_name":"${rel}",…}`,
    );
    lines.push(`GET ${base}/view-chart-status?release_name=${rel} until 404`);
    return;
  }
  for (const chart of charts) {
    if (o.method === 'copy') {
      if (o.ssh) lines.push(`${new SshCopier(o.ssh).commandLine(o.extensionsDir, chart.fileName)}  < ${chart.path}`);
      else
        lines.push(
          `copy ${chart.path} → ${join(o.extensionsDir, chart.fileName)} (temp name in the same directory, then rename)`,
        );
    } else {
      const chunks = `POST ${base}/file_chunks_init {"name":"${chart.fileName}","fileSize":${chart.data.length},"chunkSize":${o.chunkSize},"index":0,"endIndex":${Math.ceil(chart.data.length / o.chunkSize)}} then ${Math.ceil(chart.data.length / o.chunkSize)} × POST ${base}/file_chunks`;
      if (chart.data.length <= o.uploadThreshold)
        lines.push(
          `POST ${base}/file (multipart file=${chart.fileName}, application/gzip, ${chart.data.length} bytes); if it answers 500 "already exists": ${chunks}`,
        );
      else lines.push(chunks);
    }
  }
  for (const [ref, file] of imageTarNames(o.images)) {
    lines.push(`docker save -o <temp>/${file} ${ref}`);
    lines.push(
      `POST ${base}/file_chunks_init {"name":"${file}",…} then POST ${base}/file_chunks per ${o.chunkSize} bytes`,
    );
    lines.push(`GET ${base}/import-container?filename=${file}`);
  }
  for (const chart of charts) {
    if (!o.install) {
      if (p) lines.push(`GET ${base}/extensions until ${chart.name} ${chart.version} is listed`);
      continue;
    }
    const client = new KubeHelmClient(new PlatformHttp({ baseUrl: base || 'http://localhost' }), o.generation);
    const req = {
      name: chart.name,
      version: chart.version,
      keywords: chart.keywords,
      ...(o.extensionParams ? { extensionParams: o.extensionParams } : {}),
      ...(o.blocking !== undefined ? { blocking: o.blocking } : {}),
      ...(o.releaseName ? { releaseName: o.releaseName } : {}),
      ...(o.project ? { project: o.project } : {}),
    };
    const headers = client.installHeaders(req);
    lines.push(
      `POST ${base}/helm-install-chart ${JSON.stringify(client.installPayload(req))}${headers.project ? ` (header Project: ${headers.project})` : ''}`,
    );
    lines.push(
      `GET ${base}/view-chart-status?release_name=<release> until deployed, and GET ${base}/extensions until the release shows installed (at most ${Math.round(o.timeoutMs / 1000)} s)`,
    );
  }
}

// install-extension: deliver chart archives (and image tars) to a running Kaapana platform, then
// optionally install the extension and prove it, or uninstall it. Owns the order of things and the
// checks before any byte leaves the runner: every chart loads and carries its dependencies, the
// method fits the platform generation (0.1.x has no upload), a multi-installable chart has a
// project for the Project header. Delivery: `upload` (kube-helm `/file`, the chunked protocol above
// a size threshold or when `/file` refuses to overwrite, whole-upload retries from init) or `copy`
// (a local directory or SSH, atomic). Proof: an install answer proves nothing (0.1.x answers before
// helm ran; `/extensions` is cached up to 30 s), so it polls `/view-chart-status` until `deployed`
// and `/extensions` until the release shows installed, bounded by the timeout (the polling is in
// install-proof.ts). Dry run: the requests it would make, with no secret, and nothing sent
// (install-dry-run.ts). A real run is named phases: connect, uninstall, or deliver the charts, import
// the images, install or prove the listing; whatever was opened is closed at the end.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KxError, errorMessage } from '../errors/index.js';
import { DockerCli } from '../images/docker.js';
import { readChartArchives, type ChartArchive } from './chart-files.js';
import { copyToLocalDir, SshCopier, type SshTarget } from './copy.js';
import { PlatformError, PlatformHttp, SecretRedactor } from './http.js';
import { imageTarNames, saveImage } from './image-tars.js';
import { baseUrl, describeRoute, dryRunPlan, installRequest } from './install-dry-run.js';
import { waitInstalled, waitListed, waitUninstalled } from './install-proof.js';
import { KubeHelmClient, ChunkError, type Generation } from './kube-helm.js';
import { startKubeProxy, type KubeProxy } from './kube-proxy.js';
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

/** One real run: the options, the result being filled, and what is open and closed at the end. */
interface Run {
  o: InstallExtensionOptions;
  result: InstallExtensionResult;
  /** Logs a request and records it in result.requests. */
  logRequest: (line: string) => void;
  redactor: SecretRedactor;
  proxy?: KubeProxy;
  tokens?: TokenSource;
  http?: PlatformHttp;
  client?: KubeHelmClient;
  ssh?: SshCopier;
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
  const logRequest = (line: string) => {
    result.requests.push(line);
    o.log(line);
  };
  const run: Run = { o, result, logRequest, redactor: new SecretRedactor() };
  try {
    if (o.platform) await connect(run, o.platform);
    if (o.uninstall) {
      await uninstallReleases(run, run.client!, charts);
      return result;
    }
    await deliverCharts(run, charts);
    if (o.images.length) await importImages(run, run.client!);
    // Install and prove it, or prove the listing.
    if (run.client) await installOrProve(run, run.client, charts);
    return result;
  } finally {
    run.http?.close();
    run.tokens?.close();
    await run.ssh?.close();
    await run.proxy?.stop();
  }
}

/** Reaches kube-helm: through a kubectl proxy to its service, or at the platform URL with an OIDC token. */
async function connect(run: Run, p: PlatformAccess): Promise<void> {
  run.http = p.kind === 'service-proxy' ? await connectServiceProxy(run, p) : await connectUrl(run, p);
  run.client = new KubeHelmClient(run.http, run.o.generation, run.tokens);
}

async function connectServiceProxy(
  run: Run,
  p: Extract<PlatformAccess, { kind: 'service-proxy' }>,
): Promise<PlatformHttp> {
  const proxy = await startKubeProxy({
    kubectl: p.kubectl,
    ...(p.kubeconfig ? { kubeconfig: p.kubeconfig } : {}),
    ...(p.context ? { context: p.context } : {}),
    dir: p.dir,
  });
  run.proxy = proxy;
  run.o.log(`$ ${proxy.command}`);
  return new PlatformHttp({ baseUrl: baseUrl(p), socketPath: proxy.socketPath }, run.redactor);
}

async function connectUrl(run: Run, p: Extract<PlatformAccess, { kind: 'url' }>): Promise<PlatformHttp> {
  const { o } = run;
  const source = new TokenSource({
    tokenUrl: p.tokenUrl,
    clientId: p.clientId,
    redactor: run.redactor,
    ...(p.clientSecret ? { clientSecret: p.clientSecret } : {}),
    ...(p.username ? { username: p.username, password: p.password ?? '' } : {}),
    ...(p.ca ? { ca: p.ca } : {}),
    ...(o.mask ? { mask: o.mask } : {}),
  });
  run.tokens = source;
  await source.token();
  o.log(`got an access token from ${p.tokenUrl} (${source.grant} grant, client ${p.clientId})`);
  return new PlatformHttp(
    {
      baseUrl: baseUrl(p),
      ...(p.ca ? { ca: p.ca } : {}),
      headers: async () => ({ authorization: `Bearer ${await source.token()}` }),
    },
    run.redactor,
  );
}

/** Uninstalls the named release, or each chart's, and waits until helm no longer knows it. */
async function uninstallReleases(run: Run, c: KubeHelmClient, charts: ChartArchive[]): Promise<void> {
  const { o } = run;
  const targets = o.releaseName
    ? [{ release: o.releaseName, chart: charts[0]?.name ?? o.releaseName, version: charts[0]?.version }]
    : charts.map((ch) => ({ release: ch.name, chart: ch.name, version: ch.version }));
  for (const t of targets) {
    run.logRequest(
      `uninstall ${t.release}${t.version ? ` ${t.version}` : ''}: ${o.generation === '0.1.x' ? 'GET' : 'POST'} ${c.http.url('/helm-delete-chart')}`,
    );
    const reply = await c.uninstall(t.release, t.version);
    o.log(`kube-helm: ${reply.trim()}`);
    await waitUninstalled(c, t.release, o);
    run.result.uninstalled.push({
      name: t.release,
      chart: t.chart,
      version: t.version ?? '',
      status: 'uninstalled',
      reply: reply.trim(),
    });
  }
}

async function deliverCharts(run: Run, charts: ChartArchive[]): Promise<void> {
  for (const chart of charts) {
    if (run.o.method === 'copy') await copyChart(run, chart);
    else await uploadChart(run, run.client!, chart);
  }
}

/** Copies one chart over SSH or into a local directory (temp name, then rename). */
async function copyChart(run: Run, chart: ChartArchive): Promise<void> {
  const { o } = run;
  let to: string;
  let method: string;
  if (o.ssh) {
    const ssh = (run.ssh ??= new SshCopier(o.ssh));
    run.logRequest(`copy ${chart.fileName} over SSH: ${ssh.commandLine(o.extensionsDir, chart.fileName)}`);
    to = await ssh.copy(o.extensionsDir, chart.fileName, chart.data);
    method = 'copy (ssh)';
  } else {
    run.logRequest(`copy ${chart.fileName} to ${o.extensionsDir} (temp name, then rename)`);
    to = await copyToLocalDir(o.extensionsDir, chart.fileName, chart.data);
    method = 'copy (local)';
  }
  run.result.delivered.push({
    file: chart.path,
    name: chart.name,
    version: chart.version,
    method,
    to,
    bytes: chart.data.length,
  });
  o.log(`delivered ${chart.fileName} → ${to}`);
}

/** Uploads one chart: `/file` up to the threshold, else (or when `/file` keeps an existing file) the chunked protocol. */
async function uploadChart(run: Run, c: KubeHelmClient, chart: ChartArchive): Promise<void> {
  const { o } = run;
  let how = '/file';
  let written = false;
  if (chart.data.length <= o.uploadThreshold) {
    run.logRequest(
      `upload ${chart.fileName}: POST ${c.http.url('/file')} (multipart file, application/gzip, ${chart.data.length} bytes)`,
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
    await chunkedUpload(c, chart.fileName, chart.data, o, run.logRequest);
  }
  run.result.delivered.push({
    file: chart.path,
    name: chart.name,
    version: chart.version,
    method: `upload (${how})`,
    to: `${c.http.url('')} → extensions/${chart.fileName}`,
    bytes: chart.data.length,
  });
  o.log(`delivered ${chart.fileName} (${chart.data.length} bytes) with ${how}`);
}

/** Saves each image to a tar in a work dir (a temp dir unless workDir is given, removed afterwards) and imports it. */
async function importImages(run: Run, c: KubeHelmClient): Promise<void> {
  const { o } = run;
  const docker = o.docker ?? new DockerCli();
  const dir = o.workDir ?? (await mkdtemp(join(process.env['RUNNER_TEMP'] || tmpdir(), 'kx-images-')));
  try {
    const names = imageTarNames(o.images);
    for (const ref of o.images) await importImage(run, c, { docker, dir, ref, fileName: names.get(ref)! });
  } finally {
    if (!o.workDir) await rm(dir, { recursive: true, force: true });
  }
}

/** `docker save`, the chunked upload of the tar, then `/import-container`; the tar is removed after. */
async function importImage(
  run: Run,
  c: KubeHelmClient,
  { docker, dir, ref, fileName }: { docker: DockerCli; dir: string; ref: string; fileName: string },
): Promise<void> {
  const { o } = run;
  run.logRequest(`docker save -o ${join(dir, fileName)} ${ref}`);
  const saved = await saveImage(docker, ref, dir, fileName, o.log);
  const data = await readFile(saved.path);
  const start = Date.now();
  await chunkedUpload(c, fileName, data, o, run.logRequest);
  const uploadMs = Date.now() - start;
  run.logRequest(`import ${fileName}: GET ${c.http.url('/import-container', { filename: fileName })}`);
  const reply = await c.importContainer(fileName);
  o.log(`kube-helm: ${reply.trim()}`);
  run.result.imported.push({
    image: ref,
    file: fileName,
    bytes: saved.size,
    saveSeconds: saved.saveMs / 1000,
    uploadSeconds: uploadMs / 1000,
    reply: reply.trim(),
  });
  await rm(saved.path, { force: true });
}

/** With install, installs each chart and proves it; without, proves each chart is listed. */
async function installOrProve(run: Run, client: KubeHelmClient, charts: ChartArchive[]): Promise<void> {
  for (const chart of charts) {
    if (run.o.install) await installChart(run, client, chart);
    else await waitListed(client, chart, run.o);
  }
}

async function installChart(run: Run, client: KubeHelmClient, chart: ChartArchive): Promise<void> {
  const { o } = run;
  run.logRequest(
    `install ${chart.name} ${chart.version}: POST ${client.http.url('/helm-install-chart')}${chart.multiInstallable && o.generation === '0.6.0' ? ' (Project header)' : ''}`,
  );
  const answer = await client.install(installRequest(o, chart));
  o.log(`kube-helm: ${answer.reply}`);
  const status = await waitInstalled(client, chart, answer.release, o);
  run.result.releases.push({
    name: answer.release,
    chart: chart.name,
    version: chart.version,
    status,
    alreadyInstalled: answer.alreadyInstalled,
    reply: answer.reply,
  });
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

// install-dry-run: what install-extension would send, written out and never sent. Owns kube-helm's
// base URL for an access route, the route's one-line description, the install request made for a
// chart (shared with the real run), and the dry-run plan: the access step (token request or kubectl
// proxy), then uninstall, or chart delivery, image imports and install or listing, in the order a
// real run makes them. Secrets appear as `***`. Not exported from the platform index: internal to
// install-extension.
import { join } from 'node:path';
import type { ChartArchive } from './chart-files.js';
import { SshCopier } from './copy.js';
import { PlatformHttp } from './http.js';
import { imageTarNames } from './image-tars.js';
import type { InstallExtensionOptions, InstallExtensionResult, PlatformAccess } from './install-extension.js';
import { KubeHelmClient, type InstallRequest } from './kube-helm.js';
import { serviceProxyBaseUrl, kubeProxyArgs } from './kube-proxy.js';

export function describeRoute(p: PlatformAccess | undefined): string {
  if (!p) return 'none';
  if (p.kind === 'url')
    return `${p.platformUrl.replace(/\/+$/, '')}/kube-helm-api (OIDC token from ${p.tokenUrl}, client ${p.clientId}, ${p.username ? 'password' : 'client_credentials'} grant)`;
  return `API server service proxy ${serviceProxyBaseUrl(p.namespace, p.service).replace('http://localhost', '')} (kubectl proxy)`;
}

export function baseUrl(p: PlatformAccess): string {
  return p.kind === 'url'
    ? `${p.platformUrl.replace(/\/+$/, '')}/kube-helm-api`
    : serviceProxyBaseUrl(p.namespace, p.service);
}

/** The install request for one chart, from the options. */
export function installRequest(o: InstallExtensionOptions, chart: ChartArchive): InstallRequest {
  return {
    name: chart.name,
    version: chart.version,
    keywords: chart.keywords,
    ...(o.extensionParams ? { extensionParams: o.extensionParams } : {}),
    ...(o.blocking !== undefined ? { blocking: o.blocking } : {}),
    ...(o.releaseName ? { releaseName: o.releaseName } : {}),
    ...(o.project ? { project: o.project } : {}),
  };
}

/** Appends to result.requests every request a real run would make, in its order. */
export function dryRunPlan(o: InstallExtensionOptions, charts: ChartArchive[], result: InstallExtensionResult): void {
  const lines = result.requests;
  const p = o.platform;
  const base = p ? baseUrl(p) : '';
  if (p) lines.push(accessLine(p, base));
  if (o.uninstall) {
    lines.push(...uninstallLines(o, charts, base));
    return;
  }
  for (const chart of charts) lines.push(deliveryLine(o, chart, base));
  for (const [ref, file] of imageTarNames(o.images)) lines.push(...imageLines(o, ref, file, base));
  for (const chart of charts) {
    if (o.install) lines.push(...installLines(o, chart, base));
    else if (p) lines.push(`GET ${base}/extensions until ${chart.name} ${chart.version} is listed`);
  }
}

/** How kube-helm is reached: the token request (secrets masked) or the kubectl proxy. */
function accessLine(p: PlatformAccess, base: string): string {
  if (p.kind === 'url')
    return `POST ${p.tokenUrl} (form: grant_type=${p.username ? 'password' : 'client_credentials'}, client_id=${p.clientId}${p.username ? `, username=${p.username}, password=***` : ''}${p.clientSecret ? ', client_secret=***' : ''}; the token is masked and sent as "Authorization: Bearer ***")`;
  return `kubectl ${kubeProxyArgs(p, join(p.dir, 'kube-proxy.sock')).join(' ')} (credentials from the kubeconfig; requests go to ${base})`;
}

function uninstallLines(o: InstallExtensionOptions, charts: ChartArchive[], base: string): string[] {
  const rel = o.releaseName ?? charts[0]?.name ?? '';
  return [
    o.generation === '0.1.x'
      ? `GET ${base}/helm-delete-chart?release_name=${rel}`
      : `POST ${base}/helm-delete-chart {"release_name":"${rel}",…}`,
    `GET ${base}/view-chart-status?release_name=${rel} until 404`,
  ];
}

/** One chart's delivery: copy (SSH or local) or upload (`/file`, falling back to the chunked protocol). */
function deliveryLine(o: InstallExtensionOptions, chart: ChartArchive, base: string): string {
  if (o.method === 'copy') {
    if (o.ssh) return `${new SshCopier(o.ssh).commandLine(o.extensionsDir, chart.fileName)}  < ${chart.path}`;
    return `copy ${chart.path} → ${join(o.extensionsDir, chart.fileName)} (temp name in the same directory, then rename)`;
  }
  const chunks = `POST ${base}/file_chunks_init {"name":"${chart.fileName}","fileSize":${chart.data.length},"chunkSize":${o.chunkSize},"index":0,"endIndex":${Math.ceil(chart.data.length / o.chunkSize)}} then ${Math.ceil(chart.data.length / o.chunkSize)} × POST ${base}/file_chunks`;
  if (chart.data.length <= o.uploadThreshold)
    return `POST ${base}/file (multipart file=${chart.fileName}, application/gzip, ${chart.data.length} bytes); if it answers 500 "already exists": ${chunks}`;
  return chunks;
}

function imageLines(o: InstallExtensionOptions, ref: string, file: string, base: string): string[] {
  return [
    `docker save -o <temp>/${file} ${ref}`,
    `POST ${base}/file_chunks_init {"name":"${file}",…} then POST ${base}/file_chunks per ${o.chunkSize} bytes`,
    `GET ${base}/import-container?filename=${file}`,
  ];
}

function installLines(o: InstallExtensionOptions, chart: ChartArchive, base: string): string[] {
  const client = new KubeHelmClient(new PlatformHttp({ baseUrl: base || 'http://localhost' }), o.generation);
  const req = installRequest(o, chart);
  const headers = client.installHeaders(req);
  return [
    `POST ${base}/helm-install-chart ${JSON.stringify(client.installPayload(req))}${headers.project ? ` (header Project: ${headers.project})` : ''}`,
    `GET ${base}/view-chart-status?release_name=<release> until deployed, and GET ${base}/extensions until the release shows installed (at most ${Math.round(o.timeoutMs / 1000)} s)`,
  ];
}

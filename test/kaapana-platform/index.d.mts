// Types of the Kaapana platform simulator (index.mjs), for TypeScript tests.
import type { FakeKubeApi, KubeObject } from '../kube/fake-api-server.mjs';

export type Generation = '0.1.x' | '0.6.0';

export interface GenerationInfo {
  generation: Generation;
  platformVersion: string;
  kubeHelmNamespace: string;
  jobNamespace: string;
  helmNamespace: string;
  kubeHelmLabels: Record<string, string>;
  updateCollectionsChartVersion: string;
  /** Directory of the collection image the copy container reads: `/tmp/` or `/kaapana/tmp/`. */
  sourceDir: string;
}

export interface PlatformTiming {
  refreshDelayMs: number;
  listTimerMs: number;
  copyMs: number;
  pullBackoffMs: number;
  hookTimeoutMs: number;
}

export interface KubeHelmRequest {
  method: string;
  /** Path below kube-helm's root, e.g. `/extensions` (ingress prefix already stripped). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface KubeHelmReply {
  status?: number;
  /** string → text/plain, Buffer → octet-stream, anything else → JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (req: KubeHelmRequest, platform: KaapanaPlatform) => KubeHelmReply | Promise<KubeHelmReply>;

export interface HelmRelease {
  name: string;
  namespace: string;
  chart: string;
  app_version: string;
  status: string;
  revision: string;
  updated: string;
  values: Record<string, unknown>;
  jobs: Array<{ namespace: string; name: string }>;
  /** An extension installed through /helm-install-chart (not an update-collections release). */
  extension?: boolean;
}

export interface KaapanaPlatformOptions {
  generation?: Generation;
  /** Collection image refs (KAAPANA_COLLECTIONS). */
  collections?: string[];
  /** Run the first install of update-collections-chart at start (default true). */
  initialInstall?: boolean;
  timing?: Partial<PlatformTiming>;
  token?: string;
  api?: FakeKubeApi;
  fastDataDir?: string;
  offlineMode?: boolean;
  /** Further bearer tokens the ingress accepts ('ok'), e.g. keycloak.mjs's `check`. */
  authorize?: (token: string) => 'ok' | 'expired' | 'unknown';
  /** Serve the ingress over HTTPS with this key and certificate. */
  tls?: { key: string; cert: string };
}

export interface KaapanaPlatform {
  gen: GenerationInfo;
  generation: Generation;
  api: FakeKubeApi;
  /** Bearer token of the ingress. */
  token: string;
  /** Base URL of the ingress; kube-helm is at `${url}/kube-helm-api/…`. */
  url: string;
  /** The kube-helm pod's own URL (no auth), the service proxy's target. */
  podUrl: string;
  fastDataDir: string;
  extensionsDir: string;
  kaapanaCollections: string;
  timing: PlatformTiming;
  releases: Map<string, HelmRelease>;
  logLines: string[];
  log(line: string): void;
  routes: Map<string, RouteHandler>;
  addRoute(method: string, path: string, handler: RouteHandler): void;
  requests: Array<{ method: string; path: string; status: number; via: 'proxy' | 'ingress' }>;
  /** Fault injection: true drops the request's connection after the first bytes of its body, unanswered (status 0 in requests). */
  cutRequest: ((method: string, path: string) => boolean) | undefined;
  copyJobs(): KubeObject[];
  setCollections(refs: string[]): void;
  dispatch(req: KubeHelmRequest): Promise<KubeHelmReply>;
  extensions: { get(): Promise<unknown[]>; markPending(): void; builds: number };
  node: { pulls: string[] };
  close(): Promise<void>;
}

export const REAL_TIMING: PlatformTiming;
export const GENERATIONS: Record<Generation, GenerationInfo>;
export function startKaapanaPlatform(options?: KaapanaPlatformOptions): Promise<KaapanaPlatform>;
export function collectionReleaseName(ref: string): string;
export function cureInvalidName(name: string, maxLength?: number): string;
export interface LoadedChart {
  metadata: { name: string; version: string; keywords?: string[]; [k: string]: unknown };
  dependencies: Array<{ name: string }>;
  subcharts: LoadedChart[];
}
export function loadArchiveBuffer(buf: Buffer, where?: string): Promise<LoadedChart>;
export function missingDependencies(chart: LoadedChart): Array<{ path: string; missing: string[] }>;
export function installCheck(buf: Buffer, where?: string): Promise<LoadedChart>;
export function helmInstallChart(
  platform: KaapanaPlatform,
  release: string,
  name: string,
  version: string,
  namespace?: string,
): Promise<{ ok: boolean; output: string }>;

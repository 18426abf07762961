// Types of the fake Kubernetes API server (fake-api-server.mjs), for TypeScript tests.

export type PodBehavior = 'ready' | 'never' | 'fail';
export type WorkloadResource = 'deployments' | 'daemonsets' | 'statefulsets' | 'jobs';

export interface FakeKubeApiOptions {
  /** Bearer token that is accepted; random by default. */
  token?: string;
  /** HTTPS (HTTP/2, like a real API server) with a self-signed certificate for 127.0.0.1 (default true).
   *  false: plain HTTP/1.1, for clients other than kubectl (kubectl sends no bearer token without TLS,
   *  and cancelling a watch over HTTP/1.1 can leave it hanging). */
  tls?: boolean;
  /** Delay before a new pod becomes Ready / Succeeded / fails, in ms (default 300). */
  readyMs?: number;
  /** What new pods do (default 'ready'). */
  podBehavior?: PodBehavior;
  /** How long a deleted pod stays Terminating, in ms (default 0: removed at once). */
  gracePeriodMs?: number;
  port?: number;
}

export interface WorkloadSeed {
  name: string;
  namespace?: string;
  /** Labels of the object; also the pod selector unless matchLabels is given. */
  labels?: Record<string, string>;
  matchLabels?: Record<string, string>;
  replicas?: number;
  image?: string;
  podBehavior?: PodBehavior;
}

export interface JobSeed {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  podLabels?: Record<string, string>;
  image?: string;
  /** The initial pod has already Succeeded (default true). */
  completed?: boolean;
  /** Failures allowed before the Job fails (default 6, as Kubernetes). */
  backoffLimit?: number;
  podBehavior?: PodBehavior;
}

/** What a createJob `run` callback gets: the pod of the Job, to play its container. */
export interface JobPodControl {
  namespace: string;
  pod: string;
  job: string;
  image: string;
  imagePullPolicy: string;
  env: Record<string, string>;
  readonly alive: boolean;
  log(line: string): void;
  /** Pending with this waiting reason (e.g. ErrImagePull, ImagePullBackOff). */
  waiting(reason: string, message?: string): void;
  running(): void;
  /** Terminated: Succeeded (0) or Failed. */
  exit(code: number, reason?: string): void;
  later(ms: number, fn: () => void): void;
}

export interface JobSpecSeed {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  podLabels?: Record<string, string>;
  image: string;
  imagePullPolicy?: string;
  containerName?: string;
  backoffLimit?: number;
  restartPolicy?: string;
  env?: Record<string, string>;
  /** Plays the container of each pod the Job controller starts. */
  run: (pod: JobPodControl) => void | Promise<void>;
}

export interface PodSeed {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  phase?: 'Running' | 'Succeeded' | 'Pending' | 'Failed';
  owner?: { apiVersion: string; kind: string; name: string; uid: string };
}

export interface ProxyRequest {
  method: string;
  /** Path on the service, e.g. `/update-extensions`. */
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface ProxyReply {
  status?: number;
  body?: string | object;
  headers?: Record<string, string>;
}

export interface ServiceSeed {
  name: string;
  namespace?: string;
  port?: number;
  ports?: Array<{ name?: string; port: number; protocol?: string }>;
  labels?: Record<string, string>;
  selector?: Record<string, string>;
  /** Answers proxied requests in-process. */
  handler?: (req: ProxyRequest) => ProxyReply | Promise<ProxyReply>;
  /** Or forwards them to a real HTTP server, e.g. `http://127.0.0.1:5000`. */
  target?: string;
  /** false → 503 "no endpoints available" (default true). */
  endpoints?: boolean;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    generation?: number;
    resourceVersion?: string;
    deletionTimestamp?: string;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
  };
  // Objects of any Kubernetes kind: tests read their fields freely.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status?: any;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
}

export interface FakeKubeApi {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly token: string;
  /** PEM of the self-signed certificate (undefined without TLS). */
  readonly caPem: string | undefined;
  /** Every request, in order. */
  readonly requests: LoggedRequest[];
  readyMs: number;
  podBehavior: PodBehavior;
  gracePeriodMs: number;
  seedDeployment(spec: WorkloadSeed): KubeObject;
  seedDaemonSet(spec: WorkloadSeed): KubeObject;
  seedStatefulSet(spec: WorkloadSeed): KubeObject;
  seedJob(spec: JobSeed): KubeObject;
  /** A Job run as Kubernetes' job controller does (finished Jobs never start pods again; deleted unfinished pods count as failed). */
  createJob(spec: JobSpecSeed): KubeObject;
  /** Deletes a Job and its pods (background propagation, as helm uninstall). */
  deleteJob(namespace: string, name: string): boolean;
  /** Lines the pod's container logged (also served as `kubectl logs`). */
  podLog(namespace: string, pod: string): string[];
  seedPod(spec: PodSeed): KubeObject;
  seedService(spec: ServiceSeed): KubeObject;
  setPodBehavior(resource: WorkloadResource, namespace: string, name: string, behavior: PodBehavior): void;
  markReady(namespace: string, pod: string): void;
  markSucceeded(namespace: string, pod: string): void;
  markFailed(namespace: string, pod: string): void;
  list(resource: string, namespace?: string): KubeObject[];
  get(resource: string, namespace: string, name: string): KubeObject | undefined;
  /** Answer 403 to `verb` (get, list, watch, delete, patch, create, or '*') on `resource` ('services/proxy' for the proxy). */
  deny(rule: { verb: string; resource: string; namespace?: string }): void;
  /** The next `count` matching requests fail with `status` (default 503). */
  failNext(rule: { count?: number; status?: number; method?: string; path?: RegExp }): void;
  /** kubeconfig YAML with the CA, the token and a context `fake`. */
  kubeconfig(opts?: { token?: string; namespace?: string; server?: string; context?: string }): string;
  writeKubeconfig(
    path: string,
    opts?: { token?: string; namespace?: string; server?: string; context?: string },
  ): string;
  close(): Promise<void>;
}

export function startFakeKubeApi(options?: FakeKubeApiOptions): Promise<FakeKubeApi>;
export function makeSelfSignedCert(): { cert: string; key: string };
export function parseLabelSelector(
  text: string | null | undefined,
): (labels: Record<string, string> | undefined) => boolean;

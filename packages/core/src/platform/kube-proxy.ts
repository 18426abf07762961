// Reaching kube-helm through the Kubernetes API server's service proxy
// (`/api/v1/namespaces/<ns>/services/kube-helm-service:5000/proxy/<path>`) with the real kubectl:
// `kubectl proxy` on a unix socket inside the private kubeconfig directory (mode 0700, so no other
// local user can use the authenticated proxy, and no TCP port is opened). kubectl keeps handling
// every credential type a kubeconfig may hold (tokens, client certificates, exec plugins), and
// `kubectl get --raw` could not send kube-helm's multipart uploads. The proxy is stopped by its pid.
import { join } from 'node:path';
import { KxError } from '../errors/index.js';
import { nodeExec, type Exec, type ExecResult } from '../exec/index.js';
import { serviceProxyPath } from '../kube/service-proxy.js';

export interface KubeProxyOptions {
  kubectl: string;
  kubeconfig?: string;
  context?: string;
  /** Private directory (the kubeconfig's) that gets the socket. */
  dir: string;
  /** How long to wait for kubectl to serve (default 20 s). */
  startTimeoutMs?: number;
  /** How kubectl is started; default nodeExec. */
  exec?: Exec;
}

export interface KubeProxy {
  socketPath: string;
  /** The kubectl proxy command line, for logs. */
  command: string;
  stop(): Promise<void>;
}

export function kubeProxyArgs(opts: Pick<KubeProxyOptions, 'kubeconfig' | 'context'>, socketPath: string): string[] {
  return [
    ...(opts.kubeconfig ? ['--kubeconfig', opts.kubeconfig] : []),
    ...(opts.context ? ['--context', opts.context] : []),
    'proxy',
    `--unix-socket=${socketPath}`,
    '--api-prefix=/',
  ];
}

/** Base URL of a service behind the proxy, e.g. `http://localhost/api/v1/namespaces/admin/services/kube-helm-service:5000/proxy`. */
export function serviceProxyBaseUrl(namespace: string, service: string): string {
  return `http://localhost${serviceProxyPath(namespace, service, '')}`.replace(/\/$/, '');
}

export async function startKubeProxy(opts: KubeProxyOptions): Promise<KubeProxy> {
  const socketPath = join(opts.dir, 'kube-proxy.sock');
  const args = kubeProxyArgs(opts, socketPath);
  const command = ['kubectl', ...args].join(' ');
  const abort = new AbortController();
  let serving!: () => void;
  const ready = new Promise<void>((resolve) => (serving = resolve));
  const exited: Promise<ExecResult> = (opts.exec ?? nodeExec)(opts.kubectl, args, {
    signal: abort.signal,
    onLine: (line, stream) => {
      if (stream === 'stdout' && line.includes('Starting to serve on')) serving();
    },
  });
  const stop = async (): Promise<void> => {
    abort.abort();
    await exited.catch(() => undefined);
  };
  const startMs = opts.startTimeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then(() => 'serving' as const),
    exited.then(
      (r) => r,
      (e: Error) => e,
    ),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), startMs))),
  ]);
  clearTimeout(timer);
  if (outcome === 'serving') return { socketPath, command, stop };
  if (outcome instanceof Error)
    throw new KxError(
      `could not start kubectl at ${opts.kubectl}: ${(outcome.cause as Error | undefined)?.message ?? outcome.message}`,
    );
  if (outcome === 'timeout') {
    await stop();
    const r = await exited.catch(() => undefined);
    throw new KxError(
      `kubectl proxy did not start within ${Math.round(startMs / 1000)} s: ${r?.stderr.trim() || r?.stdout.trim() || ''}`,
    );
  }
  throw new KxError(
    `kubectl proxy exited (${outcome.exitCode}) before serving: ${outcome.stderr.trim().split('\n').slice(-3).join(' ') || outcome.stdout.trim()}`,
  );
}

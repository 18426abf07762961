// Reaching kube-helm through the Kubernetes API server's service proxy
// (`/api/v1/namespaces/<ns>/services/kube-helm-service:5000/proxy/<path>`) with the real kubectl:
// `kubectl proxy` on a unix socket inside the private kubeconfig directory (mode 0700, so no other
// local user can use the authenticated proxy, and no TCP port is opened). kubectl keeps handling
// every credential type a kubeconfig may hold (tokens, client certificates, exec plugins), and
// `kubectl get --raw` could not send kube-helm's multipart uploads. The proxy is stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { KxError } from '../errors/index.js';
import { serviceProxyPath } from '../kube/service-proxy.js';

export interface KubeProxyOptions {
  kubectl: string;
  kubeconfig?: string;
  context?: string;
  /** Private directory (the kubeconfig's) that gets the socket. */
  dir: string;
  /** How long to wait for kubectl to serve (default 20 s). */
  startTimeoutMs?: number;
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
  const child: ChildProcess = spawn(opts.kubectl, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new KxError(`kubectl proxy did not start within ${Math.round((opts.startTimeoutMs ?? 20_000) / 1000)} s: ${err.trim() || out.trim()}`));
    }, opts.startTimeoutMs ?? 20_000);
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('Starting to serve on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new KxError(`could not start kubectl at ${opts.kubectl}: ${e.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new KxError(`kubectl proxy exited (${code}) before serving: ${err.trim().split('\n').slice(-3).join(' ') || out.trim()}`));
    });
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return { socketPath, command, stop };
}

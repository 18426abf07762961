// Strategy `kube-helm` (Kaapana 0.6.0): ask the kube-helm service to reload the extensions
// (`GET /update-extensions`) through the API server's service proxy, so neither a port-forward nor a
// pod exec is needed, and check its answer (2xx with a message; 500 "Extensions update failed").
import { KxError } from '../errors/index.js';
import { classifyKubectlStderr, KubectlError, stderrTail, type KubectlFailure } from './kubectl-errors.js';
import type { RestartResult, StrategyContext } from './restart-types.js';

export const DEFAULT_KUBE_HELM_SERVICE = 'kube-helm-service:5000';
export const DEFAULT_KUBE_HELM_PATH = '/update-extensions';
export const DEFAULT_ADMIN_NAMESPACE = 'admin';

export interface KubeHelmOptions {
  /** `name:port` of the service (port optional). */
  service: string;
  /** Path on the service, e.g. `/update-extensions`. */
  path: string;
}

/** `/api/v1/namespaces/<ns>/services/<svc>/proxy<path>` */
export function serviceProxyPath(namespace: string, service: string, path: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(:[A-Za-z0-9-]+)?$/.test(service)) {
    throw new KxError(`service "${service}" is not <name> or <name>:<port>`);
  }
  const p = path.startsWith('/') ? path : `/${path}`;
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${service}/proxy${p}`;
}

/** HTTP status of the last request in kubectl `-v=6` output (`GET https://… 202 Accepted in 3 milliseconds`). */
export function lastLoggedStatus(stderr: string): number | undefined {
  let status: number | undefined;
  for (const m of stderr.matchAll(/\b(?:GET|POST|PUT|PATCH|DELETE) https?:\/\/\S+ (\d{3})\b/g)) status = Number(m[1]);
  return status;
}

export async function kubeHelmReload(ctx: StrategyContext, opts: KubeHelmOptions): Promise<RestartResult> {
  const { kubectl, log } = ctx;
  const ns = kubectl.namespace ?? DEFAULT_ADMIN_NAMESPACE;
  const raw = serviceProxyPath(ns, opts.service, opts.path);
  const serviceName = opts.service.split(':')[0]!;
  const result: RestartResult = { strategy: 'kube-helm', namespace: ns, dryRun: kubectl.dryRun, resources: [], pods: [], commands: kubectl.history };
  const classify = (stderr: string): KubectlFailure => {
    const status = lastLoggedStatus(stderr);
    if (status === 500) return 'failed'; // kube-helm's own "Extensions update failed": retrying will not help
    if (status === 502 || status === 503 || status === 504 || status === 429) return 'transient';
    if (status === 404) return 'not-found';
    return classifyKubectlStderr(stderr);
  };
  let out: { stdout: string; stderr: string };
  try {
    out = await kubectl.run(['get', '--raw', raw, '-v=6'], { namespaced: false, classify });
  } catch (e) {
    if (!(e instanceof KubectlError) || ['unreachable', 'unauthorized', 'forbidden', 'timeout'].includes(e.failure)) throw e;
    const status = lastLoggedStatus(e.stderr);
    const what =
      e.failure === 'not-found'
        ? `service ${serviceName} (or its path ${opts.path}) was not found in namespace "${ns}"`
        : `${serviceName} in namespace "${ns}" answered ${status ?? 'with an error'} to ${opts.path}`;
    throw new KubectlError(`kube-helm reload failed: ${what}\n  command: ${e.command}\n  kubectl: ${stderrTail(e.stderr)}`, e.failure, e.command, e.stderr, e.exitCode);
  }
  result.resources.push({ kind: 'Service', name: serviceName, namespace: ns, action: kubectl.dryRun ? `would call GET ${opts.path}` : `called GET ${opts.path}` });
  if (kubectl.dryRun) return result;
  const status = lastLoggedStatus(out.stderr);
  const reply = out.stdout.trim().slice(0, 2000);
  if (status !== undefined) result.status = status;
  result.reply = reply;
  log(`${serviceName} answered ${status ?? '2xx'}: ${reply || '(empty body)'}`);
  return result;
}

// Reaching a Service's HTTP port through the API server's service proxy with `kubectl get --raw`,
// and reading the HTTP status of the proxied request from kubectl's `-v=6` log.
import { KxError } from '../errors/index.js';

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

// kube-helm's `GET /extensions` as a reload check: the list the platform's UI shows, read through
// the API server's service proxy. Both response shapes are understood (0.1.x: `helm show chart`
// fields + `versions`; 0.6.0: schemas.KaapanaExtension with `versions` and `available_versions`).
// kube-helm rebuilds the list at most every 30 s (0.1.x: plus a 5 s timer), so a chart copied a
// moment ago may appear only on a later request: the check polls until the deadline.
import { KxError } from '../errors/index.js';
import type { Kubectl } from './kubectl.js';
import { serviceProxyPath } from './service-proxy.js';

interface ListedExtension {
  name?: string;
  chart_name?: string;
  version?: string;
  versions?: string[];
  available_versions?: Record<string, unknown>;
}

/** `<name>-<version>` of every chart version the list offers, sorted. */
export function chartsInExtensionList(list: unknown): string[] {
  if (!Array.isArray(list)) throw new KxError(`kube-helm's /extensions did not answer a JSON list`);
  const out = new Set<string>();
  for (const item of list as ListedExtension[]) {
    const name = item?.chart_name ?? item?.name;
    if (!name) continue;
    for (const v of [item.version, ...(item.versions ?? []), ...Object.keys(item.available_versions ?? {})])
      if (v) out.add(`${name}-${v}`);
  }
  return [...out].sort();
}

/** `dir/x-1.0.0.tgz`, `x-1.0.0.tgz`, `x-1.0.0` → `x-1.0.0`. */
export function normalizeChartName(text: string): string {
  return text
    .trim()
    .replace(/^.*[\\/]/, '')
    .replace(/\.tgz$/, '');
}

export async function fetchExtensionCharts(kubectl: Kubectl, namespace: string, service: string): Promise<string[]> {
  const { stdout } = await kubectl.run(['get', '--raw', serviceProxyPath(namespace, service, '/extensions')], {
    namespaced: false,
    quiet: true,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new KxError(`kube-helm's /extensions answered something that is not JSON: ${stdout.slice(0, 200)}`);
  }
  return chartsInExtensionList(parsed);
}

/**
 * Polls /extensions until every `expected` chart is listed; resolves to what the list shows.
 * Fails naming the missing charts (and what is listed) at `deadline`.
 */
export async function waitForExtensionCharts(
  kubectl: Kubectl,
  opts: {
    namespace: string;
    service: string;
    expected: string[];
    deadline: number;
    pollMs: number;
    log: (line: string) => void;
    context?: string;
  },
): Promise<string[]> {
  let seen: string[] = [];
  let reported = '';
  for (;;) {
    seen = await fetchExtensionCharts(kubectl, opts.namespace, opts.service);
    const missing = opts.expected.filter((c) => !seen.includes(c));
    if (missing.length === 0) return seen;
    const report = `missing ${missing.join(', ')}`;
    if (report !== reported) {
      opts.log(
        `waiting for kube-helm's /extensions (rebuilt at most every 30 s): ${report}; listed: ${seen.join(', ') || 'nothing'}`,
      );
      reported = report;
    }
    if (Date.now() + opts.pollMs > opts.deadline) {
      throw new KxError(
        `the platform does not list ${missing.join(', ')} after the reload: kube-helm's /extensions lists ${seen.join(', ') || 'no extension'}` +
          `${opts.context ? `; ${opts.context}` : ''}. Check that the collection image carries these charts in the directory the copy container reads and that each has its dependencies in charts/`,
      );
    }
    await new Promise((r) => setTimeout(r, opts.pollMs));
  }
}

// Strategy `rollout`: `kubectl rollout restart` of deployments, daemonsets or statefulsets, then
// `kubectl rollout status --timeout` for each, then the names of the pods that replaced the old ones.
import { KxError } from '../errors/index.js';
import { kubectlDuration } from './duration.js';
import { isTerminating, selectorOf, type List, type Pod, type Workload } from './objects.js';
import type { RestartResult, StrategyContext } from './restart-types.js';

const KINDS: Record<string, string> = {
  deployment: 'deployment',
  deployments: 'deployment',
  deploy: 'deployment',
  daemonset: 'daemonset',
  daemonsets: 'daemonset',
  ds: 'daemonset',
  statefulset: 'statefulset',
  statefulsets: 'statefulset',
  sts: 'statefulset',
};

export interface WorkloadRef {
  kind: 'deployment' | 'daemonset' | 'statefulset';
  name: string;
}

/** `deployment/x, ds/y` (comma or newline separated; a bare name is a deployment). */
export function parseWorkloads(text: string): WorkloadRef[] {
  const refs = text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const [kindRaw, name, extra] = item.includes('/') ? item.split('/') : ['deployment', item];
      const kind = KINDS[(kindRaw ?? '').toLowerCase().replace(/\.apps$/, '')];
      if (!kind || !name || extra !== undefined || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) {
        throw new KxError(`resource "${item}" is not <deployment|daemonset|statefulset>/<name>`);
      }
      return { kind, name } as WorkloadRef;
    });
  if (refs.length === 0) {
    throw new KxError('strategy rollout needs the resource input, e.g. deployment/kube-helm-deployment');
  }
  return refs;
}

export async function rollout(ctx: StrategyContext, refs: WorkloadRef[]): Promise<RestartResult> {
  const { kubectl, log } = ctx;
  const ns = kubectl.namespace;
  const result: RestartResult = {
    strategy: 'rollout',
    dryRun: kubectl.dryRun,
    resources: [],
    pods: [],
    commands: kubectl.history,
    ...(ns ? { namespace: ns } : {}),
  };
  const timeout = kubectlDuration(ctx.timeoutMs);

  const before = new Map<string, { selector: string; uids: Set<string> }>();
  if (!kubectl.dryRun) {
    for (const ref of refs) {
      const obj = await kubectl.json<Workload>(['get', `${ref.kind}/${ref.name}`, '--output', 'json']);
      const labels = obj.spec?.selector?.matchLabels ?? {};
      const selector = selectorOf(labels);
      const pods = selector
        ? (await kubectl.json<List<Pod>>(['get', 'pods', '--selector', selector, '--output', 'json'])).items
        : [];
      before.set(key(ref), { selector, uids: new Set(pods.map((p) => p.metadata.uid ?? p.metadata.name)) });
    }
  }
  for (const ref of refs) {
    // A second restart in the same second would be an empty patch, so no retry here.
    await kubectl.run(['rollout', 'restart', `${ref.kind}/${ref.name}`], { retry: false, echo: true });
    result.resources.push({
      kind: ref.kind,
      name: ref.name,
      ...(ns ? { namespace: ns } : {}),
      action: kubectl.dryRun ? 'would restart' : 'restarted',
    });
  }
  const started = Date.now();
  for (const ref of refs) {
    const left = Math.max(1000, ctx.timeoutMs - (Date.now() - started));
    await kubectl.run(
      ['rollout', 'status', `${ref.kind}/${ref.name}`, `--timeout=${kubectl.dryRun ? timeout : kubectlDuration(left)}`],
      {
        deadlineMs: left + 60_000,
        echo: true,
      },
    );
    if (kubectl.dryRun) continue;
    const b = before.get(key(ref))!;
    if (!b.selector) continue;
    const pods = (
      await kubectl.json<List<Pod>>(['get', 'pods', '--selector', b.selector, '--output', 'json'], { quiet: true })
    ).items;
    const fresh = pods
      .filter((p) => !b.uids.has(p.metadata.uid ?? p.metadata.name) && !isTerminating(p))
      .map((p) => p.metadata.name);
    log(`${ref.kind}/${ref.name}: rolled out, new pods ${fresh.join(', ') || '(none listed)'}`);
    result.pods.push(...fresh);
  }
  return result;
}

function key(ref: WorkloadRef): string {
  return `${ref.kind}/${ref.name}`;
}

// One entry for the three restart strategies: checks the strategy-specific options and dispatches.
import { KxError } from '../errors/index.js';
import { normalizeChartName } from './extensions.js';
import { kaapanaLayout } from './platform.js';
import { deletePods } from './strategy-delete-pods.js';
import { kubeHelmReload, DEFAULT_KUBE_HELM_PATH, DEFAULT_KUBE_HELM_SERVICE } from './strategy-kube-helm.js';
import { parseWorkloads, rollout } from './strategy-rollout.js';
import { STRATEGIES, type RestartResult, type Strategy, type StrategyContext } from './restart-types.js';

export interface RestartOptions {
  strategy: Strategy;
  /** Kaapana version (0.1.3, 0.6.0, …; empty: today's layout): picks the copy Jobs' namespace. */
  platformVersion?: string;
  /** delete-pods: label selector (default: the pods of the copy Jobs matched by jobPrefix). */
  selector?: string;
  /** delete-pods / kube-helm: copy Job name prefix. */
  jobPrefix?: string;
  /** kube-helm: namespace of the copy Jobs (default from platformVersion). */
  jobNamespace?: string;
  /** rollout: `deployment/x`, comma/newline separated. */
  resource?: string;
  /** kube-helm: `name:port` of the service and the path to GET. */
  service?: string;
  path?: string;
  /** kube-helm: charts (`<name>-<version>` or `.tgz` names) /extensions must list after the reload. */
  expectCharts?: string[];
  /** kube-helm: wait for the new copy Job and /extensions (default true). */
  verify?: boolean;
  /** kube-helm: `--request-timeout` of the reload call, seconds. */
  requestTimeoutSec?: number;
}

export function parseStrategy(text: string): Strategy {
  const s = text.trim() as Strategy;
  if (!STRATEGIES.includes(s)) throw new KxError(`strategy must be one of ${STRATEGIES.join(', ')}, got "${text}"`);
  return s;
}

export async function restart(ctx: StrategyContext, opts: RestartOptions): Promise<RestartResult> {
  switch (opts.strategy) {
    case 'delete-pods':
      return deletePods(ctx, {
        ...(opts.selector?.trim() ? { selector: opts.selector.trim() } : {}),
        ...(opts.jobPrefix?.trim() ? { jobPrefix: opts.jobPrefix.trim() } : {}),
      });
    case 'rollout':
      ctx.log(
        'note: rollout restarts the workloads only; it does not copy extension collections (kube-helm copies them only in GET /update-extensions: use strategy kube-helm to reload)',
      );
      return rollout(ctx, parseWorkloads(opts.resource ?? ''));
    case 'kube-helm':
      return kubeHelmReload(ctx, {
        service: opts.service?.trim() || DEFAULT_KUBE_HELM_SERVICE,
        path: opts.path?.trim() || DEFAULT_KUBE_HELM_PATH,
        jobNamespace: opts.jobNamespace?.trim() || kaapanaLayout(opts.platformVersion ?? '').copyJobNamespace,
        ...(opts.jobPrefix?.trim() ? { jobPrefix: opts.jobPrefix.trim() } : {}),
        expectCharts: [...new Set((opts.expectCharts ?? []).map(normalizeChartName).filter(Boolean))],
        ...(opts.verify !== undefined ? { verify: opts.verify } : {}),
        ...(opts.requestTimeoutSec !== undefined ? { requestTimeoutSec: opts.requestTimeoutSec } : {}),
      });
  }
}

/**
 * Namespace used when the namespace input is empty: kube-helm's namespace for kube-helm
 * (kube-system at 0.1.x, admin from 0.2 on), the copy Jobs' namespace for delete-pods (default at
 * 0.1.x, admin from 0.2 on), the context's namespace for rollout.
 */
export function defaultNamespace(strategy: Strategy, platformVersion = ''): string | undefined {
  const layout = kaapanaLayout(platformVersion);
  if (strategy === 'delete-pods') return layout.copyJobNamespace;
  if (strategy === 'kube-helm') return layout.kubeHelmNamespace;
  return undefined;
}

/** The result as the action's `restarted` output and the CLI's JSON: the same fields without empty ones. */
export function restartRecord(r: RestartResult): Record<string, unknown> {
  return {
    strategy: r.strategy,
    ...(r.namespace ? { namespace: r.namespace } : {}),
    dryRun: r.dryRun,
    resources: r.resources,
    pods: r.pods,
    ...(r.reply !== undefined ? { reply: r.reply } : {}),
    ...(r.status !== undefined ? { status: r.status } : {}),
    ...(r.job ? { job: r.job, jobNamespace: r.jobNamespace } : {}),
    ...(r.pod ? { pod: r.pod, podState: r.podState } : {}),
    ...(r.charts ? { charts: r.charts } : {}),
    commands: r.commands,
  };
}

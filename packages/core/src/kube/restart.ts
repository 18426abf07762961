// One entry for the three restart strategies: checks the strategy-specific options and dispatches.
import { KxError } from '../errors/index.js';
import { deletePods, DEFAULT_COLLECTION_SELECTOR } from './strategy-delete-pods.js';
import { kubeHelmReload, DEFAULT_KUBE_HELM_PATH, DEFAULT_KUBE_HELM_SERVICE } from './strategy-kube-helm.js';
import { parseWorkloads, rollout } from './strategy-rollout.js';
import { STRATEGIES, type RestartResult, type Strategy, type StrategyContext } from './restart-types.js';

export interface RestartOptions {
  strategy: Strategy;
  /** delete-pods: label selector (default: the 0.1.x collection copy job's pods). */
  selector?: string;
  /** rollout: `deployment/x`, comma/newline separated. */
  resource?: string;
  /** kube-helm: `name:port` of the service and the path to GET. */
  service?: string;
  path?: string;
}

export function parseStrategy(text: string): Strategy {
  const s = text.trim() as Strategy;
  if (!STRATEGIES.includes(s)) throw new KxError(`strategy must be one of ${STRATEGIES.join(', ')}, got "${text}"`);
  return s;
}

export async function restart(ctx: StrategyContext, opts: RestartOptions): Promise<RestartResult> {
  switch (opts.strategy) {
    case 'delete-pods':
      return deletePods(ctx, { selector: opts.selector?.trim() || DEFAULT_COLLECTION_SELECTOR });
    case 'rollout':
      return rollout(ctx, parseWorkloads(opts.resource ?? ''));
    case 'kube-helm':
      return kubeHelmReload(ctx, {
        service: opts.service?.trim() || DEFAULT_KUBE_HELM_SERVICE,
        path: opts.path?.trim() || DEFAULT_KUBE_HELM_PATH,
      });
  }
}

/** Namespace used when the namespace input is empty: where Kaapana keeps what each strategy touches. */
export function defaultNamespace(strategy: Strategy): string | undefined {
  if (strategy === 'delete-pods') return 'default'; // 0.1.x: job copy-kube-helm-collections
  if (strategy === 'kube-helm') return 'admin'; // 0.6.0: global.admin_namespace
  return undefined; // rollout: the context's namespace
}

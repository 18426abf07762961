// The shared vocabulary of the restart strategies: their names, common options and the result that
// becomes the action's `restarted` output.
import type { Kubectl } from './kubectl.js';

export const STRATEGIES = ['delete-pods', 'rollout', 'kube-helm'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface TouchedResource {
  kind: string;
  name: string;
  namespace?: string;
  /** What was done to it: `deleted`, `restarted`, `called`, or `would …` in a dry run. */
  action: string;
}

export interface RestartResult {
  strategy: Strategy;
  namespace?: string;
  dryRun: boolean;
  /** Resources touched, in order. */
  resources: TouchedResource[];
  /** Names of the replacement pods that became Ready or Succeeded. */
  pods: string[];
  /** Reply of a service (kube-helm), trimmed. */
  reply?: string;
  /** HTTP status of that reply, when known. */
  status?: number;
  /** kubectl commands run (or printed in a dry run). */
  commands: string[];
  /** kube-helm: the new copy Job that completed, its namespace, its pod and the pod's state. */
  job?: string;
  jobNamespace?: string;
  pod?: string;
  podState?: string;
  /** kube-helm: `<name>-<version>` of every chart /extensions listed after the reload. */
  charts?: string[];
  /** kube-helm: ms from the call to the end of the verification. */
  verifiedMs?: number;
}

export interface StrategyContext {
  kubectl: Kubectl;
  /** Overall bound for waiting, in ms. */
  timeoutMs: number;
  /** Interval between polls while waiting, in ms (default 2000). */
  pollMs?: number;
  log: (line: string) => void;
}

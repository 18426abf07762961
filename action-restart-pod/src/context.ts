// The typed inputs of action-restart-pod, read once; every default comes from action.yml (read by
// actions-kit's actionInputs). The kubeconfig is parsed and its credentials masked here, before
// anything could print them.
import { KxError } from '@kaapana-ext/core';
import { actionInputs, type ActionInputs } from '@kaapana-ext/actions-kit';
import { getKubeconfigInputs } from '@kaapana-ext/actions-kit/kube';
import { normalizeKubectlVersion } from '@kaapana-ext/actions-kit/tools';
import {
  defaultNamespace,
  parseDuration,
  parseStrategy,
  type ParsedKubeconfig,
  type RestartOptions,
  type Strategy,
} from '@kaapana-ext/core/kube';

export interface Inputs {
  strategy: Strategy;
  restart: RestartOptions;
  /** Empty → kubectl's own default (the context's namespace). */
  namespace: string | undefined;
  kubeconfig: ParsedKubeconfig | undefined;
  context: string;
  kubectlVersion: string;
  kubectlBaseUrl: string;
  timeoutMs: number;
  pollMs: number;
  retries: number;
  dryRun: boolean;
}

export function getInputs(): Inputs {
  const input = actionInputs(import.meta.url);
  const { kubeconfig, context } = getKubeconfigInputs('context');
  const strategy = parseStrategy(input.string('strategy'));
  const platformVersion = input.string('platform-version');
  const version = input.string('kubectl-version');
  return {
    strategy,
    restart: {
      strategy,
      platformVersion,
      selector: input.string('selector'),
      jobPrefix: input.string('job-prefix'),
      jobNamespace: input.string('job-namespace'),
      resource: input.string('resource'),
      service: input.string('service'),
      path: input.string('path'),
      expectCharts: expectChartsInput(input),
      verify: input.bool('verify'),
      requestTimeoutSec: Math.ceil(parseDuration(input.string('request-timeout'), 'request-timeout') / 1000),
    },
    namespace: input.string('namespace') || defaultNamespace(strategy, platformVersion),
    kubeconfig,
    context,
    kubectlVersion: version ? normalizeKubectlVersion(version) : '',
    kubectlBaseUrl: input.string('kubectl-base-url'),
    timeoutMs: parseDuration(input.string('timeout')),
    pollMs: parseDuration(input.string('poll-interval'), 'poll-interval'),
    retries: input.int('retries', 1),
    dryRun: input.bool('dry-run'),
  };
}

/** expect-charts: a list (lines / commas) or a JSON array, e.g. action-update-collection's output. */
function expectChartsInput(input: ActionInputs): string[] {
  const raw = input.string('expect-charts');
  if (!raw.startsWith('[')) return input.list('expect-charts');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new KxError(`input expect-charts looks like JSON but is not: ${raw.slice(0, 80)}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string'))
    throw new KxError('input expect-charts: a JSON value must be an array of strings');
  return parsed as string[];
}

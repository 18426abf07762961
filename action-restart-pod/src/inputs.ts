// The typed inputs of action-restart-pod, read once. The kubeconfig is parsed and its credentials
// masked here, before anything could print them.
import * as core from '@actions/core';
import { KxError } from '@kaapana-ext/core';
import { getBool, getInt, getList } from '@kaapana-ext/actions-kit';
import { getKubeconfigInputs } from '@kaapana-ext/actions-kit/kube';
import { DEFAULT_KUBECTL_BASE_URL, normalizeKubectlVersion } from '@kaapana-ext/actions-kit/tools';
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
  const { kubeconfig, context } = getKubeconfigInputs('context');

  const strategy = parseStrategy(core.getInput('strategy') || 'kube-helm');
  const platformVersion = core.getInput('platform-version').trim();
  const version = core.getInput('kubectl-version').trim();
  return {
    strategy,
    restart: {
      strategy,
      platformVersion,
      selector: core.getInput('selector'),
      jobPrefix: core.getInput('job-prefix'),
      jobNamespace: core.getInput('job-namespace'),
      resource: core.getInput('resource'),
      service: core.getInput('service'),
      path: core.getInput('path'),
      expectCharts: expectChartsInput(),
      verify: getBool('verify', true),
      requestTimeoutSec: Math.ceil(parseDuration(core.getInput('request-timeout') || '10m', 'request-timeout') / 1000),
    },
    namespace: core.getInput('namespace').trim() || defaultNamespace(strategy, platformVersion),
    kubeconfig,
    context,
    kubectlVersion: version ? normalizeKubectlVersion(version) : '',
    kubectlBaseUrl: core.getInput('kubectl-base-url').trim() || DEFAULT_KUBECTL_BASE_URL,
    timeoutMs: parseDuration(core.getInput('timeout') || '5m'),
    pollMs: parseDuration(core.getInput('poll-interval') || '2s', 'poll-interval'),
    retries: getInt('retries', 4, 1),
    dryRun: getBool('dry-run', false),
  };
}

/** expect-charts: a list (lines / commas) or a JSON array, e.g. action-update-collection's output. */
function expectChartsInput(): string[] {
  const raw = core.getInput('expect-charts').trim();
  if (!raw.startsWith('[')) return getList('expect-charts');
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

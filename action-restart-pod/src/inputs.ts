// The typed inputs of action-restart-pod, read once. The kubeconfig is parsed and its credentials
// masked here, before anything could print them.
import * as core from '@actions/core';
import { getBool, getInt } from '@kaapana-ext/core/action';
import {
  DEFAULT_KUBECTL_BASE_URL,
  checkContext,
  defaultNamespace,
  normalizeKubectlVersion,
  parseDuration,
  parseKubeconfigInput,
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
  retries: number;
  dryRun: boolean;
}

export function getInputs(): Inputs {
  const rawKubeconfig = core.getInput('kubeconfig');
  if (rawKubeconfig.trim()) core.setSecret(rawKubeconfig.trim());
  const kubeconfig = rawKubeconfig.trim() ? parseKubeconfigInput(rawKubeconfig) : undefined;
  for (const secret of kubeconfig?.secrets ?? []) core.setSecret(secret);
  const context = core.getInput('context').trim();
  if (kubeconfig) checkContext(kubeconfig, context || undefined);

  const strategy = parseStrategy(core.getInput('strategy') || 'delete-pods');
  const version = core.getInput('kubectl-version').trim();
  return {
    strategy,
    restart: {
      strategy,
      selector: core.getInput('selector'),
      resource: core.getInput('resource'),
      service: core.getInput('service'),
      path: core.getInput('path'),
    },
    namespace: core.getInput('namespace').trim() || defaultNamespace(strategy),
    kubeconfig,
    context,
    kubectlVersion: version ? normalizeKubectlVersion(version) : '',
    kubectlBaseUrl: core.getInput('kubectl-base-url').trim() || DEFAULT_KUBECTL_BASE_URL,
    timeoutMs: parseDuration(core.getInput('timeout') || '5m'),
    retries: getInt('retries', 4, 1),
    dryRun: getBool('dry-run', false),
  };
}

// action-restart-pod: typed inputs → kubectl (PATH or verified tool-cache install) → kubeconfig in a
// private temp file → one restart strategy from @kaapana-ext/core/kube → outputs and job summary.
// The post step removes the kubeconfig if the main step could not (cancelled, killed). Driven only
// by INPUT_* variables, so the CLI runs it the same way.
import { join } from 'node:path';
import * as core from '@actions/core';
import { runMainOrPost } from '@kaapana-ext/actions-kit';
import { KxError } from '@kaapana-ext/core';
import { Kubectl, hasAmbientCredentials, removeKubeconfigDir, restart, restartRecord } from '@kaapana-ext/core/kube';
import { writeKubeconfig, type WrittenKubeconfig } from '@kaapana-ext/core/kube';
import { rememberKubeDir, removeLeftKubeDir } from '@kaapana-ext/actions-kit/kube';
import { resolveKubectl, type KubectlChoice } from '@kaapana-ext/actions-kit/tools';
import { getInputs, type Inputs } from './context.js';
import { writeSummary } from './summary.js';

export async function main(): Promise<void> {
  const inputs = getInputs();
  const kubectlChoice = await core.group('kubectl', () => chooseKubectl(inputs));
  core.setOutput('kubectl-path', kubectlChoice.path);

  let written: WrittenKubeconfig | undefined;
  try {
    if (inputs.kubeconfig) {
      written = await writeKubeconfig(inputs.kubeconfig.text);
      rememberKubeDir(written.dir);
    } else if (!inputs.dryRun && !(await hasAmbientCredentials())) {
      throw new KxError('no Kubernetes credentials: set the kubeconfig input (e.g. from a secret) or KUBECONFIG');
    }
    const kubectl = new Kubectl({
      path: kubectlChoice.path,
      ...(written ? { kubeconfig: written.path, cacheDir: join(written.dir, 'cache') } : {}),
      ...(inputs.context ? { context: inputs.context } : {}),
      ...(inputs.namespace ? { namespace: inputs.namespace } : {}),
      dryRun: inputs.dryRun,
      log: (line) => core.info(line),
      retry: { attempts: inputs.retries },
    });
    const result = await core.group(`Restart (${inputs.strategy}${inputs.dryRun ? ', dry run' : ''})`, () =>
      restart(
        { kubectl, timeoutMs: inputs.timeoutMs, pollMs: inputs.pollMs, log: (line) => core.info(line) },
        inputs.restart,
      ),
    );
    core.setOutput('restarted', JSON.stringify(restartRecord(result)));
    core.setOutput('job', result.job ?? '');
    core.setOutput('pod', result.pod ?? '');
    core.setOutput('charts', JSON.stringify(result.charts ?? []));
    await writeSummary(result, kubectlChoice);
  } finally {
    if (written) await removeKubeconfigDir(written.dir);
  }
}

async function chooseKubectl(inputs: Inputs): Promise<KubectlChoice> {
  const choice = await resolveKubectl({
    ...(inputs.kubectlVersion ? { version: inputs.kubectlVersion } : {}),
    baseUrl: inputs.kubectlBaseUrl,
    log: (line) => core.info(line),
  });
  core.info(`kubectl: ${choice.path} (${choice.source}${choice.version ? ` ${choice.version}` : ''})`);
  return choice;
}

/** The post step: removes the kubeconfig the main step left (cancelled, killed). */
export const post = removeLeftKubeDir;

/** What @github/local-action calls (`npm run local-action`); the bundle's entry is src/index.ts. */
export const run = (): Promise<void> => runMainOrPost(main, post);

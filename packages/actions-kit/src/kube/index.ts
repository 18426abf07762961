// The `kubeconfig` input and its context input, as every action that talks to a cluster reads them:
// the whole text and every credential inside it (tokens, client keys, OIDC secrets, exec env values)
// masked before anything could print them, the context checked against the kubeconfig. Parsing and
// the credential list belong to @kaapana-ext/core/kube; this module only owns the reading and
// masking, and the post step's removal of the private directory the kubeconfig went into (shared by
// every action that writes one). It is its own subpath, apart from the kit's root, so that actions without a cluster do
// not bundle core/kube.
import * as core from '@actions/core';
import { pathExists } from '@kaapana-ext/core';
import { checkContext, parseKubeconfigInput, removeKubeconfigDir, type ParsedKubeconfig } from '@kaapana-ext/core/kube';

export interface KubeconfigInputs {
  kubeconfig: ParsedKubeconfig | undefined;
  context: string;
}

/** Reads `kubeconfig` and the context input named `contextInput` (e.g. `context`, `kube-context`). */
export function getKubeconfigInputs(contextInput: string): KubeconfigInputs {
  const raw = core.getInput('kubeconfig');
  if (raw.trim()) core.setSecret(raw.trim());
  const kubeconfig = raw.trim() ? parseKubeconfigInput(raw) : undefined;
  for (const secret of kubeconfig?.secrets ?? []) core.setSecret(secret);
  const context = core.getInput(contextInput).trim();
  if (kubeconfig) checkContext(kubeconfig, context || undefined);
  return { kubeconfig, context };
}

/** The state under which the main step names its private kube directory for the post step. */
const KUBE_DIR_STATE = 'kubeconfig-dir';

/** Remembers a private directory (kubeconfig, kubectl cache, proxy socket) for the post step to remove. */
export function rememberKubeDir(dir: string): void {
  core.saveState(KUBE_DIR_STATE, dir);
}

/** The post step's part: removes the private directory the main step left (cancelled, killed). */
export async function removeLeftKubeDir(): Promise<void> {
  const dir = core.getState(KUBE_DIR_STATE);
  if (dir && (await pathExists(dir))) {
    await removeKubeconfigDir(dir);
    core.info('removed the kubeconfig left by the main step');
  }
}

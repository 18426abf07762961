// How action-install-extension reaches kube-helm: the platform URL with an OIDC token, or the
// service proxy through kubectl (with the kubeconfig input written to a private dir, or ambient
// credentials) when anything needs the platform. The dirs it creates are saved as state for the
// post step.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { KxError } from '@kaapana-ext/core';
import { hasAmbientCredentials, writeKubeconfig, type WrittenKubeconfig } from '@kaapana-ext/core/kube';
import { rememberKubeDir } from '@kaapana-ext/actions-kit/kube';
import { resolveKubectl } from '@kaapana-ext/actions-kit/tools';
import type { PlatformAccess } from '@kaapana-ext/core/platform';
import type { Inputs } from './context.js';

/** The route to kube-helm: the platform URL with a token, else the service proxy when anything needs the platform. */
export async function platformAccess(
  inputs: Inputs,
  kubeconfigDir: () => Promise<WrittenKubeconfig | undefined>,
): Promise<PlatformAccess | undefined> {
  if (inputs.platformUrl) {
    if (!inputs.clientSecret && !inputs.username)
      throw new KxError(
        'platform-url needs credentials for Keycloak: client-secret (client-credentials grant) and/or oidc-username + oidc-password',
      );
    return {
      kind: 'url',
      platformUrl: inputs.platformUrl,
      tokenUrl: inputs.tokenUrl,
      clientId: inputs.clientId,
      ...(inputs.clientSecret ? { clientSecret: inputs.clientSecret } : {}),
      ...(inputs.username ? { username: inputs.username, password: inputs.password } : {}),
      ...(inputs.ca ? { ca: inputs.ca } : {}),
    };
  }
  const needed =
    inputs.method === 'upload' ||
    inputs.install ||
    inputs.uninstall ||
    inputs.images.length > 0 ||
    Boolean(inputs.kubeconfig);
  if (!needed) return undefined;
  if (!inputs.kubeconfig && !inputs.dryRun && !(await hasAmbientCredentials())) {
    throw new KxError(
      'no way to reach the platform: set platform-url (with client-id/client-secret) or kubeconfig (e.g. from a secret)',
    );
  }
  const kubectl = await resolveKubectl({ log: (line) => core.info(line) });
  const written = await kubeconfigDir();
  let dir = written?.dir;
  if (!dir && !inputs.dryRun) {
    // Ambient credentials: the proxy socket still goes into a private dir of its own.
    dir = await mkdtemp(join(process.env['RUNNER_TEMP'] || tmpdir(), 'kx-kube-'));
    rememberKubeDir(dir);
  }
  return {
    kind: 'service-proxy',
    kubectl: kubectl.path,
    ...(written ? { kubeconfig: written.path } : {}),
    ...(inputs.context ? { context: inputs.context } : {}),
    namespace: inputs.namespace,
    service: inputs.service,
    dir: dir ?? '<private temp dir>',
  };
}

/** The kubeconfig input in a private dir (saved for the post step); nothing in a dry run. */
export async function writeInputKubeconfig(inputs: Inputs): Promise<WrittenKubeconfig | undefined> {
  if (!inputs.kubeconfig || inputs.dryRun) return undefined;
  const written = await writeKubeconfig(inputs.kubeconfig.text);
  rememberKubeDir(written.dir);
  return written;
}

// action-install-extension: typed inputs → how to reach the platform (service proxy via kubectl with
// a private kubeconfig, or the platform URL with an OIDC token) → installExtension from
// @kaapana-ext/core/platform → outputs and job summary. The post step removes the kubeconfig and the
// private work dir (SSH key, image tars) if the main step could not (cancelled, killed). Driven only
// by INPUT_* variables, so the CLI runs it the same way.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { runMainOrPost } from '@kaapana-ext/actions-kit';
import { KxError, pathExists } from '@kaapana-ext/core';
import {
  hasAmbientCredentials,
  removeKubeconfigDir,
  writeKubeconfig,
  type WrittenKubeconfig,
} from '@kaapana-ext/core/kube';
import { resolveKubectl } from '@kaapana-ext/actions-kit/tools';
import { installExtension, type PlatformAccess } from '@kaapana-ext/core/platform';
import { getInputs, type Inputs } from './inputs.js';
import { writeSummary } from './summary.js';

const KUBECONFIG_STATE = 'kubeconfig-dir';
const WORK_STATE = 'work-dir';

export async function run(): Promise<void> {
  await runMainOrPost(main, post);
}

async function main(): Promise<void> {
  const inputs = getInputs();
  let written: WrittenKubeconfig | undefined;
  let work: string | undefined;
  try {
    if (!inputs.dryRun) {
      work = await mkdtemp(join(process.env['RUNNER_TEMP'] || tmpdir(), 'kx-install-'));
      core.saveState(WORK_STATE, work);
    }
    const platform = await platformAccess(inputs, async () => {
      if (inputs.kubeconfig && !inputs.dryRun) {
        written = await writeKubeconfig(inputs.kubeconfig.text);
        core.saveState(KUBECONFIG_STATE, written.dir);
      }
      return written;
    });
    const result = await core.group(`Install extension${inputs.dryRun ? ' (dry run)' : ''}`, () =>
      installExtension({
        charts: inputs.charts,
        method: inputs.method,
        extensionsDir: inputs.extensionsDir,
        ...(inputs.ssh ? { ssh: { ...inputs.ssh, ...(work ? { tempParent: work } : {}) } } : {}),
        images: inputs.images,
        ...(platform ? { platform } : {}),
        generation: inputs.generation,
        install: inputs.install,
        uninstall: inputs.uninstall,
        ...(inputs.releaseName ? { releaseName: inputs.releaseName } : {}),
        ...(inputs.extensionParams ? { extensionParams: inputs.extensionParams } : {}),
        blocking: inputs.blocking,
        ...(inputs.project ? { project: inputs.project } : {}),
        chunkSize: inputs.chunkSize,
        uploadThreshold: inputs.uploadThreshold,
        uploadAttempts: inputs.uploadAttempts,
        timeoutMs: inputs.timeoutMs,
        dryRun: inputs.dryRun,
        log: (line) => core.info(line),
        mask: (secret) => core.setSecret(secret),
        ...(work ? { workDir: work } : {}),
      }),
    );
    core.setOutput('delivered', JSON.stringify(result.delivered));
    core.setOutput('imported', JSON.stringify(result.imported));
    core.setOutput('release', JSON.stringify(result.uninstalled.length ? result.uninstalled : result.releases));
    await writeSummary(result);
  } finally {
    if (written) await removeKubeconfigDir(written.dir);
    if (work) await rm(work, { recursive: true, force: true });
  }
}

/** The route to kube-helm: the platform URL with a token, else the service proxy when anything needs the platform. */
async function platformAccess(
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
    core.saveState(KUBECONFIG_STATE, dir);
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

async function post(): Promise<void> {
  const dir = core.getState(KUBECONFIG_STATE);
  if (dir && (await pathExists(dir))) {
    await removeKubeconfigDir(dir);
    core.info('removed the kubeconfig left by the main step');
  }
  const work = core.getState(WORK_STATE);
  if (work && work.includes('kx-install-') && (await pathExists(work))) {
    await rm(work, { recursive: true, force: true });
    core.info('removed the work directory left by the main step');
  }
}

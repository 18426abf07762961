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
import { removeLeftKubeDir } from '@kaapana-ext/actions-kit/kube';
import { pathExists } from '@kaapana-ext/core';
import { removeKubeconfigDir, type WrittenKubeconfig } from '@kaapana-ext/core/kube';
import { installExtension } from '@kaapana-ext/core/platform';
import { platformAccess, writeInputKubeconfig } from './access.js';
import { getInputs } from './context.js';
import { writeSummary } from './summary.js';

const WORK_STATE = 'work-dir';

export async function main(): Promise<void> {
  const inputs = getInputs();
  let written: WrittenKubeconfig | undefined;
  let work: string | undefined;
  try {
    if (!inputs.dryRun) {
      work = await mkdtemp(join(process.env['RUNNER_TEMP'] || tmpdir(), 'kx-install-'));
      core.saveState(WORK_STATE, work);
    }
    const platform = await platformAccess(inputs, async () => (written = await writeInputKubeconfig(inputs)));
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

/** The post step: removes what the main step left (cancelled, killed). */
export async function post(): Promise<void> {
  await removeLeftKubeDir();
  const work = core.getState(WORK_STATE);
  if (work && work.includes('kx-install-') && (await pathExists(work))) {
    await rm(work, { recursive: true, force: true });
    core.info('removed the work directory left by the main step');
  }
}

/** What @github/local-action calls (`npm run local-action`); the bundle's entry is src/index.ts. */
export const run = (): Promise<void> => runMainOrPost(main, post);

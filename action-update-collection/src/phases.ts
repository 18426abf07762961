// The phases of action-update-collection, each one core call with its log lines, run by main.ts in
// its groups: the dependency-list edit, the image's plan (dry run) or build, the commit, base-collection's
// update, and the registry login (password on stdin; the post step logs out) with the matching auth.
import * as core from '@actions/core';
import { actionsExec, loginForPost } from '@kaapana-ext/actions-kit';
import {
  buildCollectionImage,
  collectionCommitMessage,
  collectionImageRef,
  commitFile,
  updateBaseCollection,
  updateCollectionDependency,
  type BaseCollectionUpdateResult,
  type CollectionImageRef,
  type CollectionImageResult,
  type UpdateDependencyResult,
} from '@kaapana-ext/core/collection';
import { DockerCli, type RegistryAuth } from '@kaapana-ext/core/images';
import type { BaseCollectionInputs, Inputs } from './context.js';

/** Logs in when username and password are given and something is pushed; their auth for core's registry calls. */
async function registryAuth(inputs: Inputs, docker: DockerCli): Promise<{ auth?: RegistryAuth }> {
  if (!inputs.username || !inputs.password) return {};
  if (inputs.push && !inputs.dryRun) await loginForPost(docker, inputs.registryHost, inputs.username, inputs.password);
  return { auth: { registry: inputs.registryHost, username: inputs.username, password: inputs.password } };
}

export async function editList(inputs: Inputs): Promise<UpdateDependencyResult> {
  const r = await updateCollectionDependency(inputs.edit);
  core.info(
    `${r.displayPath}: ${r.entry.name} ${r.entry.version} ${r.changed ? r.action : 'already listed, unchanged'}`,
  );
  if (r.diff) core.info(r.diff);
  return r;
}

export async function planImage(inputs: Inputs): Promise<CollectionImageRef> {
  const planned = await collectionImageRef(inputs.target);
  core.info(`dry run: would build and push ${planned.ref}`);
  return planned;
}

export async function buildImage(inputs: Inputs, edit: UpdateDependencyResult): Promise<CollectionImageResult> {
  const docker = new DockerCli({ exec: actionsExec });
  const auth = await registryAuth(inputs, docker);
  const image = await core.group('Build, push and verify the collection image', () =>
    buildCollectionImage({
      ...inputs.target,
      ...inputs.content,
      expectCharts: [`${edit.entry.name}-${edit.entry.version}.tgz`],
      docker,
      ...auth,
      onProgress: (m) => core.info(m),
      onWarning: (m) => core.warning(m),
      onImageDone: (r, output) => {
        if (output.length === 0) return;
        core.info(`--- ${r.localOnly ? `local-only/${r.name}` : r.ref} (${r.status})`);
        for (const line of output) core.info(line);
      },
    }),
  );
  if (image.dropped.length) {
    core.warning(
      `missing-charts warn: the collection image ${image.ref} does not carry ${image.dropped.length} extension(s) the collection lists, so a platform reloading it loses them: ${image.dropped.join(', ')}`,
    );
  }
  core.info(
    `collection image ${image.ref}${image.digest ? `@${image.digest}` : ''} carries: ${(image.imageCharts.length ? image.imageCharts : image.charts.map((c) => c.file)).join(', ')}`,
  );
  return image;
}

/** Commits the edited dependency file (only that file; never pushed); its SHA. */
export async function commitEdit(inputs: Inputs, edit: UpdateDependencyResult): Promise<string> {
  const message = collectionCommitMessage(edit, inputs.commitMessage);
  const sha = await commitFile({ file: edit.file, message, exec: actionsExec });
  core.info(`committed ${edit.displayPath} as ${sha}`);
  return sha;
}

/** base-collection's commit of the edited list: only when it changed and the image was built; '' otherwise. */
export async function commitBaseEdit(inputs: Inputs, r: BaseCollectionUpdateResult): Promise<string> {
  if (!inputs.commit || !r.edit?.changed || !r.image) return '';
  const message = collectionCommitMessage(r.edit, inputs.commitMessage);
  return commitFile({ file: r.edit.file, message, exec: actionsExec });
}

/** base-collection: our chart(s) added to the platform's collection image (core updateBaseCollection). */
export async function updateBase(inputs: Inputs, base: BaseCollectionInputs): Promise<BaseCollectionUpdateResult> {
  const docker = new DockerCli({ exec: actionsExec });
  const auth = await registryAuth(inputs, docker);
  return core.group(`Add our chart(s) to ${base.base}`, () =>
    updateBaseCollection({ ...base, docker, ...auth, onProgress: (m) => core.info(m) }),
  );
}

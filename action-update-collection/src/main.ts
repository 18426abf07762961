// action-update-collection: typed inputs → the collection chart's dependency-list edit → the
// collection image built, pushed and read back (the edit is kept only if that worked) → the optional
// commit → outputs and job summary; with base-collection, our chart(s) added to the platform's image
// instead. The post step logs out of the registry. The work is @kaapana-ext/core/collection's.
import { relative } from 'node:path';
import * as core from '@actions/core';
import { logoutFromState, runMainOrPost } from '@kaapana-ext/actions-kit';
import { expectedCharts, keepEditIfBuilt } from '@kaapana-ext/core/collection';
import type { CollectionImageRef, CollectionImageResult } from '@kaapana-ext/core/collection';
import { getInputs, type BaseCollectionInputs, type Inputs } from './context.js';
import { buildImage, commitBaseEdit, commitEdit, editList, planImage, updateBase } from './phases.js';
import { writeBaseSummary, writeSummary } from './summary.js';

const shown = (p: string) => relative(process.env.GITHUB_WORKSPACE ?? process.cwd(), p) || p;
const setOutputs = (o: Record<string, string>) => Object.entries(o).forEach(([k, v]) => core.setOutput(k, v));

export async function main(): Promise<void> {
  const inputs = getInputs();
  if (inputs.base) return mainOnBase(inputs, inputs.base);
  const edit = await core.group('Update the collection dependency list', () => editList(inputs));
  setOutputs({ changed: String(edit.changed), diff: edit.diff, file: shown(edit.file) });
  let commit = '';
  let image: CollectionImageResult | undefined;
  let planned: CollectionImageRef | undefined;
  const restored = () => {
    core.info(`restored ${edit.displayPath} as it was before the edit`);
    setOutputs({ changed: 'false', diff: '' });
  };
  try {
    await keepEditIfBuilt(
      edit,
      inputs.dryRun,
      async () => {
        if (inputs.build && inputs.dryRun) planned = await planImage(inputs);
        if (inputs.build && !inputs.dryRun) image = await buildImage(inputs, edit);
      },
      restored,
    );
    if (inputs.commit && edit.changed && !inputs.dryRun)
      commit = await core.group('Commit', () => commitEdit(inputs, edit));
  } finally {
    setOutputs({
      commit,
      image: image?.image ?? planned?.image ?? '',
      tag: image?.tag ?? planned?.tag ?? '',
      digest: image?.digest ?? '',
      charts: JSON.stringify(image?.imageCharts ?? []),
      skipped: String(image?.skipped ?? false),
      'expect-charts': JSON.stringify(expectedCharts(edit, image, inputs.platformVersion)),
    });
    await writeSummary({ edit, dryRun: inputs.dryRun, commit, image, planned });
  }
}

/** base-collection mode: our chart(s) added to the platform's collection image. */
async function mainOnBase(inputs: Inputs, base: BaseCollectionInputs): Promise<void> {
  const r = await updateBase(inputs, base);
  const commit = await commitBaseEdit(inputs, r);
  setOutputs({
    changed: String(r.edit?.changed ?? false),
    diff: r.edit?.diff ?? '',
    file: r.edit ? shown(r.edit.file) : '',
    commit,
    image: r.planned.image,
    tag: r.planned.tag,
    digest: r.image?.digest ?? '',
    charts: JSON.stringify(r.image?.imageCharts ?? []),
    'expect-charts': JSON.stringify(r.expectCharts),
    skipped: 'false',
  });
  await writeBaseSummary(base.base, r);
}

/** The post step: logs out of the registry the main step logged in to. */
export const post = (): Promise<void> => logoutFromState();

/** What @github/local-action calls (`npm run local-action`); the bundle's entry is src/index.ts. */
export const run = (): Promise<void> => runMainOrPost(main, post);

// action-package-chart: typed inputs → for each chart, in its group, the checks before anything is
// written (dag-installer-chart, the reference lint against build-images' plan and the registry), then
// the dry run's report or the core chart engine (dependency update, package, optional OCI push) →
// the `packages` output and the job summary. A failing chart does not stop the others; every failure
// becomes one error annotation (file and line where known) after all charts were tried.
import { relative } from 'node:path';
import * as core from '@actions/core';
import { runMainOrPost } from '@kaapana-ext/actions-kit';
import { KxAggregateError, KxError, errorMessage } from '@kaapana-ext/core';
import { resolveChartDirs } from '@kaapana-ext/core/chart';
import type { PackagedChart } from '@kaapana-ext/core/packaging';
import { getInputs } from './context.js';
import { packageOne, planChart } from './phases.js';
import { writeSummary, type FailedChart } from './summary.js';

export type { PackagedChart } from '@kaapana-ext/core/packaging';

export async function main(): Promise<void> {
  const inputs = getInputs();
  const dirs = await resolveChartDirs(inputs.charts, inputs.workspace);
  const done: PackagedChart[] = [];
  const failed: FailedChart[] = [];
  const errors: KxError[] = [];
  for (const dir of dirs) {
    await core.group(`Chart ${relative(inputs.workspace, dir) || dir}`, async () => {
      try {
        done.push(inputs.dryRun ? await planChart(dir, inputs) : await packageOne(dir, inputs));
      } catch (e) {
        failed.push({ dir, error: errorMessage(e) });
        if (e instanceof KxAggregateError) errors.push(...e.errors);
        else if (e instanceof KxError) errors.push(e);
        else throw e;
      }
    });
  }
  core.setOutput('packages', JSON.stringify(done));
  await writeSummary(done, failed, inputs.workspace, inputs.dryRun);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new KxAggregateError(errors);
}

/** What @github/local-action calls (`npm run local-action`); the bundle's entry is src/index.ts. */
export const run = (): Promise<void> => runMainOrPost(main);

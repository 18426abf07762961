// action-build-images: typed inputs → the build plan of the extension (core's planExtensionBuild) →
// the reference lint → registry logins and local-only bases loaded → builds and pushes
// (@kaapana-ext/core/images) → outputs (plan, images, digests) and job summary, also when a build
// failed. The post step logs out of every registry the main step logged in to.
import * as core from '@actions/core';
import { actionsExec, logoutFromState, runMainOrPost } from '@kaapana-ext/actions-kit';
import { buildLintSettings, planOutput } from '@kaapana-ext/core/build';
import { DockerCli, type ImageResult } from '@kaapana-ext/core/images';
import { getInputs } from './context.js';
import { build, describeDocker, digestsOf, lint, loadLocalImages, logIn, makePlan } from './phases.js';
import { writeSummary } from './summary.js';

export async function main(): Promise<void> {
  const inputs = getInputs();
  const docker = new DockerCli({ exec: actionsExec });
  if (!inputs.dryRun) await core.group('Docker', () => describeDocker(docker, inputs));
  const planned = await core.group('Plan', () => makePlan(inputs));
  const { plan } = planned;
  const findings = await core.group('Reference lint', () => lint(inputs, planned));
  core.setOutput('plan', planOutput(plan, findings, buildLintSettings(inputs.plan, planned)));
  if (inputs.dryRun) {
    core.setOutput('images', JSON.stringify([]));
    core.setOutput('digests', JSON.stringify({}));
    await writeSummary(plan, undefined, true);
    return;
  }
  if (plan.images.length === 0) core.warning(`no images to build below ${inputs.plan.context}`);
  const auth = await logIn(docker, inputs);
  const tar = inputs.localImages;
  const loaded = tar ? await core.group(`Load ${tar}`, () => loadLocalImages(docker, tar)) : [];
  let results: ImageResult[] | undefined;
  try {
    results = await build(inputs, planned, docker, loaded, auth);
  } catch (e) {
    results = (e as { results?: ImageResult[] }).results;
    throw e;
  } finally {
    if (results) {
      core.setOutput('images', JSON.stringify(results));
      core.setOutput('digests', JSON.stringify(digestsOf(results)));
      await writeSummary(plan, results, false);
    }
  }
}

/** The post step: logs out of every registry the main step logged in to. */
export const post = (): Promise<void> => logoutFromState();

/** What @github/local-action calls (`npm run local-action`); the bundle's entry is src/index.ts. */
export const run = (): Promise<void> => runMainOrPost(main, post);

// The phases of action-package-chart for one chart, run by main.ts in the chart's group: the checks
// before anything is written (the workflow chart's dag-installer-chart, the reference lint with its
// warnings as annotations), then either the dry run's report or the dependency update, packaging,
// Kaapana lint and optional push — each a core call with its log lines and annotations.
import * as core from '@actions/core';
import { annotationPath, warnFindings } from '@kaapana-ext/actions-kit';
import { lintKaapanaChart, loadDir, packageChart, type Chart } from '@kaapana-ext/core/chart';
import {
  extensionImages,
  plannedArchive,
  pushArchive,
  requireDagInstaller,
  type PackagedChart,
} from '@kaapana-ext/core/packaging';
import { lintChartReferences, referenceLintOutcome, registryLookup } from '@kaapana-ext/core/references';
import type { Inputs } from './context.js';

/** The reference lint of one chart (@kaapana-ext/core/references): warnings annotated, errors thrown. */
async function lintChartImages(dir: string, inputs: Inputs): Promise<void> {
  if (inputs.referenceLint === 'off') return;
  const { images, settings } = inputs.references;
  const exists = settings.registry ? registryLookup(settings.registry, inputs) : undefined;
  const findings = await lintChartReferences({ chartDir: dir, images, ...settings, ...(exists ? { exists } : {}) });
  const { warnings, error } = referenceLintOutcome(findings, inputs.referenceLint);
  warnFindings(warnings, 'reference lint');
  if (error) throw error;
}

/** Reads the chart and applies the rules checked before anything is written. */
async function checkedChart(dir: string, inputs: Inputs): Promise<Chart> {
  const chart = await loadDir(dir, { allowExternalSymlinks: inputs.allowExternalSymlinks });
  requireDagInstaller(chart, dir);
  await lintChartImages(dir, inputs);
  return chart;
}

/** dry-run: what would be packaged and pushed; no dependency update, nothing written or pushed. */
export async function planChart(dir: string, inputs: Inputs): Promise<PackagedChart> {
  const chart = await checkedChart(dir, inputs);
  const planned = plannedArchive(chart, dir, inputs);
  for (const d of (chart.metadata.dependencies ?? []).filter((x) => x !== null))
    core.info(`dependency ${d.name} ${d.version ?? ''} ${d.repository ?? '(by name)'}: not updated (dry run)`);
  core.info(`dry run: would write ${planned.path}${inputs.dependencyUpdate ? ' after a dependency update' : ''}`);
  if (planned.ref) core.info(`dry run: would push ${planned.ref}`);
  return planned;
}

/** Dependency update, package, Kaapana lint (warnings) and, with push, the OCI push. */
export async function packageOne(dir: string, inputs: Inputs): Promise<PackagedChart> {
  // The first read only checks the rules; the packaging read below warns about links.
  await checkedChart(dir, inputs);
  const load = {
    allowExternalSymlinks: inputs.allowExternalSymlinks,
    onWarning: (message: string, file: string) =>
      core.warning(message, { file: annotationPath(file), title: 'kaapana-ext' }),
  };
  const result = await packageChart(dir, {
    destination: inputs.destination,
    ...(inputs.version ? { version: inputs.version } : {}),
    ...(inputs.appVersion ? { appVersion: inputs.appVersion } : {}),
    dependencyUpdate: inputs.dependencyUpdate,
    ...(inputs.searchPaths.length ? { searchPaths: inputs.searchPaths } : {}),
    dependencies: {
      log: (m) => core.info(m),
      ...(inputs.kaapanaSource ? { kaapanaSource: inputs.kaapanaSource } : {}),
      load,
      ...(inputs.username || inputs.password ? { oci: { username: inputs.username, password: inputs.password } } : {}),
    },
  });
  for (const d of result.dependencyUpdate?.dependencies ?? [])
    core.info(`dependency ${d.name} ${d.version} (${d.source})`);
  if (result.dependencyUpdate?.lockWritten) core.info(`wrote ${result.dependencyUpdate.lockFile}`);
  warnFindings(lintKaapanaChart(result.chart, { images: await extensionImages(dir) }), 'kaapana-ext');
  core.info(`packaged ${result.path} (sha256 ${result.sha256})`);
  const packaged: PackagedChart = {
    name: result.name,
    version: result.version,
    path: result.path,
    sha256: result.sha256,
  };
  if (inputs.push) {
    const pushed = await pushArchive(result.path, inputs.push, {
      ...(inputs.username ? { username: inputs.username } : {}),
      ...(inputs.password ? { password: inputs.password } : {}),
      skipExisting: inputs.skipExisting,
      displayRoot: inputs.workspace,
    });
    core.info(`${pushed.pushed === 'skipped' ? 'already present, skipped' : 'pushed'} ${pushed.ref}@${pushed.digest}`);
    Object.assign(packaged, pushed);
  }
  return packaged;
}

// A Kaapana extension's chart as package-chart handles it, beyond the chart engine (chart/: load,
// dependency update, package, push): a workflow chart without dag-installer-chart is refused before
// anything is written (also with the reference lint off: it would install no DAG); the images the
// extension builds are the IMAGE labels of the Dockerfiles beside the chart (what lintKaapanaChart
// checks global.image against); a dry run names the archive and OCI reference it would write; a
// failed push names the archive. PackagedChart is the record of the `packages` output.
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import {
  isWorkflowChart,
  ociTag,
  parseOciUrl,
  pushChart,
  validateMetadata,
  type Chart,
  type OciAuth,
} from '../chart/index.js';
import { KxError, errorMessage } from '../errors/index.js';
import { discoverDockerfiles, parseDockerfile } from '../images/index.js';

/** One chart of the `packages` output. */
export interface PackagedChart {
  name: string;
  version: string;
  path: string;
  /** Empty in a dry run (nothing was packaged). */
  sha256: string;
  /** Set in a dry run: `path` is where the archive would be written. */
  dryRun?: true;
  digest?: string;
  ref?: string;
  pushed?: 'pushed' | 'skipped';
}

/** Refuses a workflow chart (keyword kaapanaworkflow) that does not depend on dag-installer-chart. */
export function requireDagInstaller(chart: Chart, chartDir: string): void {
  if (isWorkflowChart(chart) && !(chart.metadata.dependencies ?? []).some((d) => d?.name === 'dag-installer-chart')) {
    throw new KxError(
      `workflow chart ${chart.metadata.name} (keyword kaapanaworkflow) has no dag-installer-chart dependency: nothing would install its DAG image`,
      { file: chart.dependencyFile?.file ?? join(chartDir, 'Chart.yaml') },
    );
  }
}

/** IMAGE labels of the Dockerfiles next to the chart (its extension directory); [] when unknown. */
export async function extensionImages(chartDir: string): Promise<string[]> {
  try {
    const { all } = await discoverDockerfiles({ context: dirname(chartDir) });
    const names: string[] = [];
    for (const f of all) {
      const image = parseDockerfile(await readFile(f, 'utf8'), f).labels.IMAGE;
      if (image) names.push(image);
    }
    return names;
  } catch {
    return [];
  }
}

/**
 * What a dry run reports for `chart`: `<destination>/<name>-<version>.tgz` (version: the override or
 * Chart.yaml's, checked as packaging would) and, with `push`, the OCI reference it would get.
 */
export function plannedArchive(
  chart: Chart,
  chartDir: string,
  opts: { version?: string; destination: string; push?: string },
): PackagedChart {
  const overrides = opts.version ? { version: opts.version } : {};
  validateMetadata({ ...chart.metadata, ...overrides }, { file: join(chartDir, 'Chart.yaml') });
  const name = chart.metadata.name as string;
  const version = opts.version || (chart.metadata.version as string);
  const path = join(opts.destination, `${name}-${version}.tgz`);
  const planned: PackagedChart = { name, version, path, sha256: '', dryRun: true };
  if (opts.push) {
    const loc = parseOciUrl(opts.push);
    planned.ref = `${loc.registry}/${loc.path ? `${loc.path}/` : ''}${name}:${ociTag(version)}`;
  }
  return planned;
}

/** pushChart of a packed archive; a failure is a KxError on the archive, shown relative to `displayRoot`. */
export async function pushArchive(
  archive: string,
  push: string,
  opts: OciAuth & { skipExisting: boolean; displayRoot: string },
): Promise<Pick<PackagedChart, 'digest' | 'ref' | 'pushed'>> {
  const { displayRoot, ...pushOptions } = opts;
  const pushed = await pushChart(archive, push, pushOptions).catch((e: unknown) => {
    throw new KxError(
      `pushing ${relative(displayRoot, archive) || archive} failed: ${e instanceof KxError ? e.message : errorMessage(e)}`,
      { file: archive },
    );
  });
  return { digest: pushed.digest, ref: pushed.ref, pushed: pushed.status };
}

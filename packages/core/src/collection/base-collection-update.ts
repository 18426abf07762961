// The `base-collection` mode of update-collection end to end: our chart archives — given (the
// `charts` input, e.g. package-chart's output) or packed here from the extension's chart directory
// with its own dependencies, recursively, as Kaapana's build packs them (withOwnDependencies) — are
// added to an existing kaapana-extension-collection image by buildOnBaseCollection (FROM it; only our
// archives added or replaced in the directory the platform's copy container reads), pushed and read
// back (each expected archive there, each loading with all its dependencies). When the collection
// chart is in the tree (the collection directory holds a Chart.yaml) its dependency list gets the same
// edit as in the full-collection mode, put back byte for byte when anything after the edit fails.
// Returns the `<name>-<version>` list a reload must show (restart-pod's `expect-charts`).
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { checkDependenciesDeep, loadArchive, loadDir, withOwnDependencies, writeChartArchive } from '../chart/index.js';
import { KxError } from '../errors/index.js';
import { pathExists, safeJoin, withTempDir, writeFileAtomic } from '../fsutil/index.js';
import { DockerCli, type RegistryAuth } from '../images/index.js';
import type { RetryOptions } from '../retry/index.js';
import { archiveIdentity } from './assemble-charts.js';
import { baseCollectionTarget, buildOnBaseCollection, type BaseCollectionResult } from './base-collection.js';
import { updateCollectionDependency, type RepositoryChoice, type UpdateDependencyResult } from './update-dependency.js';

export interface BaseCollectionUpdateOptions {
  /** The platform's collection image, `host/path/kaapana-extension-collection:<tag>`. */
  base: string;
  /** Registry prefix to push to; default: the base image's own repository. */
  registry?: string;
  /** Ready chart archives (`<name>-<version>.tgz`); when empty, `chartDir` is packed. */
  archives?: string[];
  /** The extension's chart directory: packed with its own dependencies when no archive is given. */
  chartDir?: string;
  /** Trees searched by name for dependencies without a usable repository (Kaapana 0.6.0 style). */
  searchDirs?: string[];
  /** A Kaapana checkout at the platform's tag: dependencies the tree lacks come from it. */
  kaapanaSource?: string;
  /** The version a listed `0.0.0` dependency stands for (Kaapana >= 0.2). */
  platformVersion?: string;
  /** The collection chart directory; its dependency list is edited only when it holds a Chart.yaml. */
  collectionDir?: string;
  /** Name / version of the collection entry (default: the chart directory's, else the first archive's). */
  name?: string;
  version?: string;
  repository?: RepositoryChoice;
  /** Edit nothing, build nothing: the diff and the planned image. */
  dryRun?: boolean;
  /** false: only the dependency-list edit, no image (default true). */
  build?: boolean;
  displayRoot?: string;
  push?: boolean;
  auth?: RegistryAuth;
  retry?: RetryOptions;
  docker?: DockerCli;
  onProgress?: (message: string) => void;
}

export interface BaseCollectionUpdateResult {
  /** The collection chart's dependency-list edit (absent when the collection chart is not in the tree). */
  edit?: UpdateDependencyResult;
  /** The image to build: `<registry>/<base image name>`, the base's tag. */
  planned: { image: string; tag: string; ref: string };
  /** The built (and pushed, verified) image; absent in a dry run or with build false. */
  image?: BaseCollectionResult;
  /** `<name>-<version>` of every chart this run added: what the platform must list after a reload. */
  expectCharts: string[];
}

/** Phase 1: the dependency-list edit, only when the collection chart is in the tree. */
async function editCollectionList(
  opts: BaseCollectionUpdateOptions,
  archives: string[],
): Promise<UpdateDependencyResult | undefined> {
  if (!opts.collectionDir || !(await pathExists(join(resolve(opts.collectionDir), 'Chart.yaml')))) {
    opts.onProgress?.(
      `no Chart.yaml in ${opts.collectionDir ?? '(no collection-dir)'}: the collection chart is not in this tree, only the image gets our chart`,
    );
    return undefined;
  }
  const first = !opts.chartDir && !opts.name && archives[0] ? archiveIdentity(archives[0]) : undefined;
  return updateCollectionDependency({
    collectionDir: opts.collectionDir,
    ...(opts.chartDir ? { chartDir: opts.chartDir } : {}),
    ...(opts.name ? { name: opts.name } : first ? { name: first.name } : {}),
    ...(opts.version ? { version: opts.version } : first ? { version: first.version } : {}),
    ...(opts.repository ? { repository: opts.repository } : {}),
    dryRun: opts.dryRun ?? false,
    ...(opts.displayRoot ? { displayRoot: opts.displayRoot } : {}),
  });
}

/**
 * `chartDir` packed into `dest` as `<name>-<version>.tgz` with its own dependencies as subcharts,
 * recursively (the source tree is never written); refused when a dependency is still missing.
 */
export async function packWithOwnDependencies(
  chartDir: string,
  dest: string,
  opts: Pick<BaseCollectionUpdateOptions, 'searchDirs' | 'kaapanaSource' | 'platformVersion' | 'onProgress'>,
): Promise<string> {
  const dir = resolve(chartDir);
  const chart = await withOwnDependencies(
    await loadDir(dir),
    dir,
    {
      ...(opts.searchDirs ? { searchPaths: opts.searchDirs } : {}),
      ...(opts.kaapanaSource ? { kaapanaSource: opts.kaapanaSource } : {}),
      ...(opts.onProgress ? { log: opts.onProgress } : {}),
    },
    opts.platformVersion ?? '',
  );
  const name = `${String(chart.metadata.name)}-${String(chart.metadata.version)}`;
  try {
    checkDependenciesDeep(chart, name);
  } catch (e) {
    throw new KxError(e instanceof Error ? e.message : String(e), { file: join(dir, 'Chart.yaml') });
  }
  const file = safeJoin(dest, `${name}.tgz`, 'chart archive name', { file: join(dir, 'Chart.yaml') });
  await writeFileAtomic(file, await writeChartArchive(chart));
  opts.onProgress?.(`packed ${dir} as ${name}.tgz with its dependencies`);
  return file;
}

/** Phase 2: our archives: the given ones, or the chart directory packed into `stage`. */
async function ourArchives(opts: BaseCollectionUpdateOptions, stage: string): Promise<string[]> {
  if (opts.archives && opts.archives.length > 0) return opts.archives;
  if (!opts.chartDir)
    throw new KxError('base-collection needs our chart: give chart archives (charts) or the chart directory (chart)');
  return [await packWithOwnDependencies(opts.chartDir, stage, opts)];
}

/** `<name>-<version>` of each archive, from its Chart.yaml (as the platform lists it). */
async function chartIds(archives: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const a of archives) {
    const c = await loadArchive(await readFile(a), a);
    ids.push(`${String(c.metadata.name)}-${String(c.metadata.version)}`);
  }
  return ids;
}

/** Add our chart(s) to the platform's collection image; see BaseCollectionUpdateOptions. */
export async function updateBaseCollection(opts: BaseCollectionUpdateOptions): Promise<BaseCollectionUpdateResult> {
  const planned = baseCollectionTarget(opts.base, opts.registry);
  return withTempDir('kx-base-update', async (stage) => {
    const archives = await ourArchives(opts, stage);
    const expectCharts = await chartIds(archives);
    const edit = await editCollectionList(opts, archives);
    if (opts.dryRun || opts.build === false) {
      opts.onProgress?.(
        `${opts.dryRun ? 'dry run' : 'build false'}: would add ${expectCharts.join(', ')} to ${opts.base} and push ${planned.ref}`,
      );
      return { ...(edit ? { edit } : {}), planned, expectCharts };
    }
    try {
      const image = await buildOnBaseCollection({
        base: opts.base,
        ...(opts.registry ? { registry: opts.registry } : {}),
        archives,
        push: opts.push ?? true,
        ...(opts.auth ? { auth: opts.auth } : {}),
        ...(opts.retry ? { retry: opts.retry } : {}),
        docker: opts.docker ?? new DockerCli(),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      return { ...(edit ? { edit } : {}), planned, image, expectCharts };
    } catch (e) {
      if (edit?.changed) await edit.restore();
      throw e;
    }
  });
}

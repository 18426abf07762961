// The `base-collection` mode of the collection update: build `FROM` an existing
// kaapana-extension-collection image and add (or replace, same file name) only our chart archives in
// the directory the platform's copy container reads, so every other extension of the platform stays.
// The layout comes from the base image itself (read through the Registry API): chart archives in
// `/kaapana/tmp/extensions/` (Kaapana >= 0.2, base-installer run.py copies /kaapana/tmp/) or directly
// in `/tmp/` (0.1.x, base-charts-manager run.py copies /tmp/**). After the push the image is read back:
// every archive of the base and each of ours is in that directory and loads with all its dependencies.
// Other versions of our chart already in the base are kept (the platform offers each as a version).
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { KxError } from '../errors/index.js';
import { withTempDir } from '../fsutil/index.js';
import { DockerCli, validateRegistry, type RegistryAuth } from '../images/index.js';
import { parseImageRef } from '../registry/index.js';
import { classifyError, withRetry, type RetryOptions } from '../retry/index.js';
import { checkChartArchive, type AssembledChart } from './assemble-charts.js';
import { verifyPushedCollection, registryOptionsFor, type CollectionImageResult } from './collection-image.js';
import { listImageCharts } from './image-charts.js';

export interface BaseCollectionOptions {
  /** The existing collection image, `host/path/kaapana-extension-collection:<tag>`. */
  base: string;
  /** Registry prefix to push to; default: the base image's own repository (replaced in place). */
  registry?: string;
  /** Our chart archives (`<name>-<version>.tgz`), each carrying its dependencies. */
  archives: string[];
  push?: boolean;
  auth?: RegistryAuth;
  retry?: RetryOptions;
  docker?: DockerCli;
  onProgress?: (message: string) => void;
}

/** The pushed image as a collection build reports it, plus what the base already carried. */
export interface BaseCollectionResult extends Pick<
  CollectionImageResult,
  'image' | 'tag' | 'ref' | 'digest' | 'charts' | 'imageCharts' | 'platformDir'
> {
  /** Archive names the base carried in its platform directory. */
  baseCharts: string[];
  /** Our archives that replaced one of the same name in the base. */
  replaced: string[];
}

/** Where the base keeps its chart archives, and which: the 0.6.0 layout wins when both are present. */
export async function baseCollectionLayout(
  base: string,
  client: Parameters<typeof listImageCharts>[1],
): Promise<{ platformDir: string; charts: string[] }> {
  const listed = await listImageCharts(base, client).catch((e: unknown) => {
    throw new KxError(
      `base-collection ${base} cannot be read from its registry: ${e instanceof Error ? e.message : String(e)}`,
    );
  });
  for (const dir of ['kaapana/tmp/extensions/', 'tmp/']) {
    const charts = listed.charts
      .filter((p) => p.startsWith(dir) && !p.slice(dir.length).includes('/'))
      .map((p) => p.slice(dir.length));
    if (charts.length > 0) return { platformDir: dir, charts };
  }
  throw new KxError(
    `base-collection ${base} carries no chart archive in /kaapana/tmp/extensions/ (Kaapana >= 0.2) nor in /tmp/ (0.1.x): it is not a kaapana-extension-collection image`,
  );
}

/** The image built on `base`: `<registry or the base's own registry/path>/<base image name>:<base tag>`. */
export function baseCollectionTarget(
  base: string,
  registry: string | undefined,
): { image: string; tag: string; ref: string } {
  const parsed = parseImageRef(base);
  if (!parsed.tag) throw new KxError(`base-collection ${base} needs a tag (the platform pulls the collection by tag)`);
  const name = parsed.repository.slice(parsed.repository.lastIndexOf('/') + 1);
  const prefix = registry
    ? validateRegistry(registry)
    : `${parsed.registry}/${parsed.repository.slice(0, parsed.repository.length - name.length - 1)}`.replace(/\/$/, '');
  return { image: `${prefix}/${name}`, tag: parsed.tag, ref: `${prefix}/${name}:${parsed.tag}` };
}

/** Build context: our archives in charts/ and a Dockerfile copying them over the base's platform directory. */
async function stageContext(dir: string, base: string, platformDir: string, archives: string[]): Promise<void> {
  await mkdir(join(dir, 'charts'));
  for (const a of archives) await copyFile(a, join(dir, 'charts', basename(a)));
  await writeFile(join(dir, 'Dockerfile'), `FROM ${base}\nCOPY charts/*.tgz /${platformDir}\n`);
}

/** Build the collection image FROM `base` with our archives added; push and verify it; see BaseCollectionOptions. */
export async function buildOnBaseCollection(opts: BaseCollectionOptions): Promise<BaseCollectionResult> {
  if (opts.archives.length === 0)
    throw new KxError('base-collection needs at least one chart archive to add (charts, or chart to package)');
  const { image, tag, ref } = baseCollectionTarget(opts.base, opts.registry);
  const charts: AssembledChart[] = [];
  for (const a of opts.archives) charts.push({ ...(await checkChartArchive(a)), file: a, source: 'archive' });
  const baseLayout = await baseCollectionLayout(opts.base, registryOptionsFor(opts.base, opts.auth, opts.retry));
  const ours = charts.map((c) => basename(c.file));
  const replaced = ours.filter((n) => baseLayout.charts.includes(n));
  opts.onProgress?.(
    `base-collection ${opts.base}: ${baseLayout.charts.length} chart archive(s) in /${baseLayout.platformDir}; adding ${ours.join(', ')}${replaced.length ? ` (replacing ${replaced.join(', ')})` : ''}`,
  );
  const docker = opts.docker ?? new DockerCli();
  await withTempDir('kx-base-collection', async (dir) => {
    await stageContext(dir, opts.base, baseLayout.platformDir, opts.archives);
    const builder = await docker.resolveBuilder('auto');
    await docker.build({
      dockerfile: join(dir, 'Dockerfile'),
      context: dir,
      tags: [ref],
      builder,
      ...(opts.onProgress ? { onOutput: opts.onProgress } : {}),
    });
  });
  const result = {
    image,
    tag,
    ref,
    charts,
    platformDir: baseLayout.platformDir,
    baseCharts: baseLayout.charts,
    replaced,
  };
  if (!(opts.push ?? true)) return { ...result, digest: '', imageCharts: [] };
  const retry: RetryOptions = { classify: classifyError, ...opts.retry };
  const pushed = await withRetry(() => docker.push(ref, opts.onProgress), retry);
  const expected = [...new Set([...baseLayout.charts, ...ours])];
  const back = await verifyPushedCollection(
    ref,
    baseLayout.platformDir,
    expected,
    registryOptionsFor(ref, opts.auth, opts.retry),
    opts.onProgress ? { onProgress: opts.onProgress } : {},
  );
  return { ...result, digest: pushed || back.digest, imageCharts: back.charts };
}

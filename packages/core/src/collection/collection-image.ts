// Building, pushing and verifying the collection image. The collection chart directory is staged
// in a temp dir (so the working tree only ever holds the dependency-list change), its `charts/` is
// assembled there (assemble-charts.ts), and the image is built with the images machinery of
// build-images: `FROM local-only/base-installer:latest` / `local-only/base-charts-manager:0.1.0`
// comes from a Dockerfile of the tree or the `baseImages` mapping; pushes are retried. Finally the
// pushed image is read back from the registry and must carry the expected chart archives.
import { createHash } from 'node:crypto';
import { cp, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { KxError } from '../errors/index.js';
import { pathExists, withTempDir } from '../fsutil/index.js';
import {
  buildImages,
  discoverDockerfiles,
  imageTag,
  kaapanaSource,
  parseDockerfile,
  planBuild,
  validateImageName,
  validateRegistry,
  type BuildImagesResult,
  type BuildPlan,
  type PlannedImage,
  type DockerCli,
  type ImageResult,
  type RegistryAuth,
  type TagStyle,
} from '../images/index.js';
import type { RetryOptions } from '../retry/index.js';
import { assembleCharts, type AssembleChartsResult, type AssembledChart } from './assemble-charts.js';
import { locateDependencyFile, readDependencyList } from './dependency-list.js';
import { listImageCharts, type ImageChartList } from './image-charts.js';
import { checkDependenciesDeep, loadArchive } from '../chart/index.js';
import { parseImageRef, RegistryClient, type RegistryClientOptions } from '../registry/index.js';

export interface CollectionImageOptions {
  collectionDir: string;
  /** Tree whose Dockerfiles provide local-only bases (e.g. the repository root). Default: collection's parent. */
  context?: string;
  /** Extra ignore patterns for the Dockerfile discovery of `context`. */
  ignore?: string[];
  /** Registry prefix, e.g. `ghcr.io/org` or `127.0.0.1:5000/kaapana`. */
  registry: string;
  tagStyle: TagStyle;
  /** Platform version: the whole tag for `platform`, the middle part for `kp`. */
  platformVersion?: string;
  /** Collection version for the `kp` tag; default `version` of the collection's Chart.yaml. */
  version?: string;
  abbr?: string;
  /** `local-only/<name>:<tag>` → pullable ref. */
  baseImages?: Record<string, string>;
  /** Ready chart archives to carry (win over packaging). */
  archives?: string[];
  /** Trees searched for charts by name (dependencies without repository). Default: [context]. */
  searchDirs?: string[];
  /** A Kaapana checkout (kaapana-source): local-only bases and charts the context lacks come from it. */
  kaapanaSource?: string;
  missing?: 'error' | 'warn';
  /** Archive file names (`<name>-<version>.tgz`) that must be in the pushed image. */
  expectCharts?: string[];
  push?: boolean;
  auth?: RegistryAuth;
  retry?: RetryOptions;
  parallel?: number;
  docker?: DockerCli;
  onProgress?: (message: string) => void;
  onWarning?: (message: string) => void;
  onImageDone?: (result: ImageResult, output: string[]) => void;
  /**
   * When the tag already exists in the registry and carries exactly the chart archives this run
   * assembled (same names, same sha256), do not build or push again. Default false.
   */
  skipExisting?: boolean;
}

export interface CollectionImageResult {
  /** `<registry>/<image name>` */
  image: string;
  tag: string;
  /** `<image>:<tag>` */
  ref: string;
  /** Manifest digest of the pushed image ('' when not pushed). */
  digest: string;
  /** Archives put into the image's `charts/`. */
  charts: AssembledChart[];
  /** Paths of the `.tgz` files found in the pushed image (empty when not pushed). */
  imageCharts: string[];
  /** Every image of the build (local-only bases included); absent when skipped. */
  build?: BuildImagesResult;
  /** True when skipExisting found the tag already carrying byte-identical charts. */
  skipped: boolean;
  /** Dependencies of the collection left out of the image (missing-charts: warn), `<name> <version>`. */
  dropped: string[];
  /** The directory of the image the platform's copy container reads (`tmp/`, `kaapana/tmp/extensions/`). */
  platformDir: string;
}

/**
 * The directory of the collection image the platform's copy container copies from: base-charts-manager's
 * run.py copies `/tmp/**` at Kaapana 0.1.x (kube-helm lists only the top-level archives), base-installer's
 * run.py `/kaapana/tmp/extensions/…` from 0.2 on (its `extensions/` part lands in the extensions dir).
 */
export function platformChartDir(tagStyle: TagStyle): string {
  return tagStyle === 'kp' ? 'tmp/' : 'kaapana/tmp/extensions/';
}

/**
 * Read-back of the pushed image as the platform sees it: each expected archive directly in the copy
 * container's directory, and each archive there loads with all its dependencies (the platform's
 * `helm install` would fail otherwise).
 */
export async function checkPlatformCharts(
  listed: ImageChartList,
  dir: string,
  expected: string[],
  ref: string,
): Promise<void> {
  const there = new Set(
    listed.charts
      .filter((p) => p.startsWith(dir) && !p.slice(dir.length).includes('/'))
      .map((p) => p.slice(dir.length)),
  );
  const absent = expected.filter((n) => !there.has(n));
  if (absent.length > 0) {
    throw new KxError(
      `the pushed image ${ref} does not carry ${absent.join(', ')} in /${dir}, the directory the platform's copy container reads (it has: ${listed.charts.map((c) => `/${c}`).join(', ') || 'no chart archive'}); check the COPY line of the collection Dockerfile`,
    );
  }
  const problems: string[] = [];
  for (const name of [...there].sort()) {
    const data = listed.data[`${dir}${name}`];
    if (!data) continue;
    try {
      checkDependenciesDeep(await loadArchive(data, name), name.replace(/\.tgz$/, ''));
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (problems.length > 0) {
    throw new KxError(
      `the pushed image ${ref} carries chart archives the platform cannot install (helm install would fail):\n  ${problems.join('\n  ')}`,
    );
  }
}

async function collectionDockerfile(collectionDir: string): Promise<string> {
  const path = join(collectionDir, 'Dockerfile');
  if (!(await pathExists(path))) throw new KxError('the collection has no Dockerfile', { file: path });
  return path;
}

export interface CollectionImageRef {
  /** `<registry>/<IMAGE label>` */
  image: string;
  tag: string;
  ref: string;
  /** Version the tag is made of: the platform version (platform style) or the collection's (kp). */
  version: string;
}

/**
 * The reference the collection image gets, without building anything: IMAGE label of the
 * collection Dockerfile, tag by `imageTag` (kp: `<abbr>_<platform>__<collection version>`,
 * platform: `<platform version>`). Bad versions and names are KxErrors naming their file.
 */
export async function collectionImageRef(
  opts: Pick<
    CollectionImageOptions,
    'collectionDir' | 'registry' | 'tagStyle' | 'platformVersion' | 'version' | 'abbr'
  >,
): Promise<CollectionImageRef> {
  const collectionDir = resolve(opts.collectionDir);
  const dockerfile = await collectionDockerfile(collectionDir);
  const loc = await locateDependencyFile(collectionDir);
  const version = opts.tagStyle === 'platform' ? opts.platformVersion : (opts.version ?? loc.chartVersion);
  if (!version) throw new KxError('tag-style "platform" needs the platform version (e.g. 0.6.0)');
  const tagOpts: Parameters<typeof imageTag>[0] = { style: opts.tagStyle, version };
  if (opts.platformVersion !== undefined) tagOpts.platformVersion = opts.platformVersion;
  if (opts.abbr !== undefined) tagOpts.abbr = opts.abbr;
  let tag: string;
  try {
    tag = imageTag(tagOpts);
  } catch (e) {
    const fromChart =
      opts.tagStyle === 'kp' && opts.version === undefined && /^version/.test(e instanceof Error ? e.message : '');
    if (e instanceof KxError && !e.file && fromChart)
      throw new KxError(e.message, { file: join(collectionDir, 'Chart.yaml') });
    throw e;
  }
  const parsed = parseDockerfile(await readFile(dockerfile, 'utf8'), dockerfile);
  if (!parsed.labels.IMAGE)
    throw new KxError('LABEL IMAGE="<name>" is missing: Kaapana needs it to name the image', {
      file: dockerfile,
      line: 1,
    });
  const name = validateImageName(parsed.labels.IMAGE, { file: dockerfile, line: parsed.labelLines.IMAGE });
  const image = `${validateRegistry(opts.registry)}/${name}`;
  return { image, tag, ref: `${image}:${tag}`, version };
}

/** The existing image `ref` when it carries exactly `charts` (names and sha256), else undefined. */
async function existingWithSameCharts(
  ref: string,
  charts: AssembledChart[],
  client: Omit<RegistryClientOptions, 'registry'>,
): Promise<{ digest: string; charts: string[] } | undefined> {
  const parsed = parseImageRef(ref);
  const head = await new RegistryClient({ ...client, registry: parsed.registry }).headManifest(
    parsed.repository,
    parsed.tag ?? 'latest',
  );
  if (!head) return undefined;
  const listed = await listImageCharts(ref, client);
  const inImage = new Map(listed.charts.map((p) => [p.slice(p.lastIndexOf('/') + 1), listed.sha256[p]]));
  if (inImage.size !== charts.length) return undefined;
  for (const c of charts) {
    const sha = createHash('sha256')
      .update(await readFile(c.file))
      .digest('hex');
    if (inImage.get(basename(c.file)) !== sha) return undefined;
  }
  return { digest: listed.digest, charts: listed.charts };
}

/** Phase 1: the collection chart copied into `stage` without charts/ and tmpcharts*; returns the copy. */
async function stageCollection(collectionDir: string, stage: string): Promise<string> {
  const stageDir = join(stage, basename(collectionDir));
  await cp(collectionDir, stageDir, {
    recursive: true,
    filter: (src) => {
      const rel = src.slice(collectionDir.length).replace(/^[\\/]/, '');
      return !/^(charts|tmpcharts[^\\/]*)([\\/]|$)/.test(rel);
    },
  });
  return stageDir;
}

/** Phase 2: the staged charts/ filled (assemble-charts.ts); an image without any chart is refused. */
async function assembleStaged(
  opts: CollectionImageOptions,
  collectionDir: string,
  stageDir: string,
  context: string,
): Promise<AssembleChartsResult> {
  const loc = await locateDependencyFile(collectionDir);
  const depText = (await pathExists(loc.path)) ? await readFile(loc.path, 'utf8') : '';
  const dependencies = readDependencyList(depText, loc.path);
  opts.onProgress?.(`assembling charts/ of ${loc.chartName} (${dependencies.length} dependencies)`);
  const assembled = await assembleCharts({
    collectionDir,
    stageDir,
    stagedDependencyFile: join(stageDir, basename(loc.path)),
    dependencies,
    dependencyFile: loc.path,
    archives: opts.archives ?? [],
    searchPaths: [...(opts.searchDirs ?? [context]), ...(opts.kaapanaSource ? [resolve(opts.kaapanaSource)] : [])],
    ...(opts.tagStyle === 'platform' && opts.platformVersion ? { platformVersion: opts.platformVersion } : {}),
    missing: opts.missing ?? 'error',
    ...(opts.onProgress ? { log: opts.onProgress } : {}),
    ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
  });
  if (assembled.charts.length === 0)
    throw new KxError('no chart to carry: the collection image would be empty', { file: loc.path });
  return assembled;
}

/** Phase 3: the build plan of the staged Dockerfile (local-only bases from context, baseImages or kaapana-source). */
async function planCollectionBuild(
  opts: CollectionImageOptions,
  context: string,
  original: string,
  staged: string,
  version: string,
  tag: string,
): Promise<{ plan: BuildPlan; mine: PlannedImage }> {
  const found = await discoverDockerfiles({ context, ...(opts.ignore ? { ignore: opts.ignore } : {}) });
  const plan = await planBuild({
    context,
    all: [...found.all.filter((f) => f !== original), staged],
    selected: [staged],
    registry: opts.registry,
    version,
    tagStyle: opts.tagStyle,
    ...(opts.platformVersion !== undefined ? { platformVersion: opts.platformVersion } : {}),
    ...(opts.abbr !== undefined ? { abbr: opts.abbr } : {}),
    ...(opts.baseImages ? { baseImages: opts.baseImages } : {}),
    ...(opts.kaapanaSource ? { source: await kaapanaSource(opts.kaapanaSource) } : {}),
    ...(opts.onProgress ? { log: opts.onProgress } : {}),
  });
  const mine = plan.images.find((i) => i.dockerfilePath === staged);
  if (!mine) {
    const why = plan.skipped.find((s) => s.dockerfile.endsWith('Dockerfile'))?.reason;
    throw new KxError(`the collection Dockerfile is not built${why ? ` (${why})` : ''}`, { file: original });
  }
  if (mine.localOnly)
    throw new KxError('the collection image must not be local-only (LABEL REGISTRY)', { file: original });
  if (mine.tag !== tag) throw new Error(`internal error: planned tag ${mine.tag} differs from ${tag}`);
  return { plan, mine };
}

/**
 * Phase 5: read the pushed image back as the platform sees it: every expected archive in `platformDir`,
 * each loading with all its dependencies. Returns the archives found and the manifest digest.
 */
export async function verifyPushedCollection(
  ref: string,
  platformDir: string,
  expected: string[],
  client: Omit<RegistryClientOptions, 'registry'>,
  blame: { file?: string; onProgress?: (m: string) => void },
): Promise<{ charts: string[]; digest: string }> {
  blame.onProgress?.(`verifying ${ref}: listing the chart archives it carries`);
  const listed = await listImageCharts(ref, client);
  await checkPlatformCharts(listed, platformDir, expected, ref).catch((e: unknown) => {
    throw e instanceof KxError && blame.file ? new KxError(e.message, { file: blame.file }) : e;
  });
  blame.onProgress?.(
    `verified ${ref}: ${expected.join(', ')} in /${platformDir}, each loading with all its dependencies`,
  );
  return { charts: listed.charts, digest: listed.digest };
}

/** Registry client options for `ref`: the credentials when they are for its registry, and the retry policy. */
export function registryOptionsFor(
  ref: string,
  auth: RegistryAuth | undefined,
  retry: RetryOptions | undefined,
): Omit<RegistryClientOptions, 'registry'> {
  const creds = auth && ref.startsWith(`${auth.registry}/`) ? { username: auth.username, password: auth.password } : {};
  return { ...creds, ...(retry ? { retry } : {}) };
}

/** Phase 4: build (and push) the planned images; the collection image's result. */
async function runCollectionBuild(
  opts: CollectionImageOptions,
  plan: BuildPlan,
  mine: PlannedImage,
  push: boolean,
): Promise<{ build: BuildImagesResult; result: ImageResult }> {
  const build = await buildImages({
    plan,
    push,
    ...(opts.docker ? { docker: opts.docker } : {}),
    ...(opts.auth ? { auth: opts.auth } : {}),
    ...(opts.retry ? { retry: opts.retry } : {}),
    ...(opts.parallel ? { parallel: opts.parallel } : {}),
    onProgress: opts.onProgress ?? (() => {}),
    ...(opts.onImageDone ? { onImageDone: opts.onImageDone } : {}),
  });
  return { build, result: build.results.find((r) => r.dockerfile === mine.dockerfile)! };
}

/** Build (and by default push and verify) the collection image; see CollectionImageOptions. */
export async function buildCollectionImage(opts: CollectionImageOptions): Promise<CollectionImageResult> {
  const collectionDir = resolve(opts.collectionDir);
  const context = resolve(opts.context ?? join(collectionDir, '..'));
  const original = await collectionDockerfile(collectionDir);
  // Tag and reference first (images' conventions), so that bad versions fail before anything is packaged or built.
  const { tag, version } = await collectionImageRef(opts);
  return withTempDir('kx-collection', async (stage) => {
    const stageDir = await stageCollection(collectionDir, stage);
    const assembled = await assembleStaged(opts, collectionDir, stageDir, context);
    const dropped = assembled.missing.map((d) => `${d.name} ${d.version}`);
    const platformDir = platformChartDir(opts.tagStyle);
    const { plan, mine } = await planCollectionBuild(
      opts,
      context,
      original,
      join(stageDir, 'Dockerfile'),
      version,
      tag,
    );
    const push = opts.push ?? true;
    const image = mine.ref.slice(0, mine.ref.length - tag.length - 1);
    const registryOpts = registryOptionsFor(mine.ref, opts.auth, opts.retry);
    const base = { image, tag, ref: mine.ref, charts: assembled.charts, dropped, platformDir };
    if (opts.skipExisting && push) {
      const same = await existingWithSameCharts(mine.ref, assembled.charts, registryOpts);
      if (same) {
        opts.onProgress?.(
          `${mine.ref} already carries these ${assembled.charts.length} chart archives byte for byte: not rebuilt (skip-existing)`,
        );
        return { ...base, digest: same.digest, imageCharts: same.charts, skipped: true };
      }
    }
    const { build, result } = await runCollectionBuild(opts, plan, mine, push);
    if (!push) return { ...base, digest: result.digest ?? '', imageCharts: [], build, skipped: false };
    const expected = [...new Set([...(opts.expectCharts ?? []), ...assembled.charts.map((c) => basename(c.file))])];
    const back = await verifyPushedCollection(mine.ref, platformDir, expected, registryOpts, {
      file: original,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    return { ...base, digest: result.digest || back.digest, imageCharts: back.charts, build, skipped: false };
  });
}

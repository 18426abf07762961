// Building and pushing a planned tree of images: supplies mapped bases (pull + retag), asks the
// registry what already exists (skip-existing), builds in dependency order with at most `parallel`
// builds at once, fails the dependents of a failed image, and pushes every tag (with retries) only
// when every selected image built — local-only images are never pushed. Local-only images loaded
// from a `docker save` tar (e.g. by the reusable workflow's shared-bases job) are used as they are;
// the local-only images of a run can be saved into one such tar. Cache sources, secrets, target and
// build contexts come from build-features.ts (which also refuses what the builder cannot do).
import { KxAggregateError, KxError, errorMessage } from '../errors/index.js';
import { parseImageRef, RegistryClient } from '../registry/index.js';
import { withRetry, classifyError, type RetryOptions } from '../retry/index.js';
import { chmod, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cacheArgs, checkBuildFeatures, NO_FEATURES, type BuildFeatures, type ImageVars } from './build-features.js';
import { DockerCli, type Builder } from './docker.js';
import type { BuildPlan, PlannedImage } from './plan.js';

/** `loaded`: a local-only image taken from the `local-images` tar instead of being built. */
export type ImageStatus = 'pushed' | 'skipped' | 'built-only' | 'loaded' | 'failed' | 'not-built';

export interface ImageResult {
  name: string;
  dockerfile: string;
  tag: string;
  ref: string;
  /** Every reference the image was tagged with (the Kaapana tag first, then extra tags). */
  tags: string[];
  localOnly: boolean;
  status: ImageStatus;
  /** Manifest digest in the registry (pushed or skipped images). */
  digest?: string;
  /** Local image id (built images). */
  imageId?: string;
  durationMs: number;
  error?: string;
}

export interface RegistryAuth {
  /** Registry host the credentials belong to, e.g. ghcr.io or 127.0.0.1:5000. */
  registry: string;
  username: string;
  password: string;
}

export interface BuildImagesOptions {
  plan: BuildPlan;
  docker?: DockerCli;
  builder?: Builder;
  /** Independent builds run at once. Default 2. */
  parallel?: number;
  /** Push the non-local images. Default true. */
  push?: boolean;
  /** Push the images that built even when others failed. Default false: all or nothing. */
  pushPartial?: boolean;
  /** Skip images whose tag already exists in the registry (manifest HEAD). */
  skipExisting?: boolean;
  auth?: RegistryAuth;
  /** More registry credentials (registry-auth), used for skip-existing lookups on their registries. */
  auths?: RegistryAuth[];
  buildArgs?: Record<string, string>;
  /** cache-from/cache-to/target/secrets/build-contexts (checked against the resolved builder). */
  features?: BuildFeatures;
  /** References loaded from a `docker save` tar: local-only images all of whose tags are here are not rebuilt. */
  loaded?: string[];
  /** Write every local-only image of the run (built or loaded) into this tar (`docker save`). */
  saveLocalImages?: string;
  /** Things worth a notice that are not failures (e.g. a cache image that does not exist yet). */
  onNotice?: (message: string) => void;
  retry?: RetryOptions;
  /** Per-image output, delivered when the image is done (so parallel logs do not interleave). */
  onImageDone?: (result: ImageResult, output: string[]) => void;
  /** Progress lines: "building x", "pushed y". */
  onProgress?: (message: string) => void;
}

export interface BuildImagesResult {
  results: ImageResult[];
  builder: 'buildx' | 'classic';
  /** The references written to `saveLocalImages`, when asked for. */
  savedLocalImages?: string[];
}

/** `<registry>` part of `<registry>/<name>:<tag>`. */
function registryOf(img: PlannedImage): string {
  const suffix = `/${img.name}:${img.tag}`;
  return img.ref.endsWith(suffix) ? img.ref.slice(0, -suffix.length) : dirname(img.ref);
}

/** Secrets as 0600 files in a private temp dir (values never on a command line); `cleanup` removes them. */
async function secretFiles(
  secrets: BuildFeatures['secrets'],
): Promise<{ args: string[]; cleanup: () => Promise<void> }> {
  if (secrets.length === 0) return { args: [], cleanup: async () => {} };
  const dir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'kx-secrets-'));
  await chmod(dir, 0o700);
  const args: string[] = [];
  for (const [i, s] of secrets.entries()) {
    const file = join(dir, `secret-${i}`);
    await writeFile(file, s.value, { mode: 0o600 });
    args.push(`id=${s.id},src=${file}`);
  }
  return { args, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

function sourceRegistry(ref: string): string {
  return parseImageRef(ref).registry;
}

/** Run `tasks` with at most `limit` at once, starting each when `ready` says so. */
async function runPool<T>(
  items: T[],
  limit: number,
  isReady: (item: T) => 'ready' | 'wait' | 'blocked',
  work: (item: T) => Promise<void>,
  onBlocked: (item: T) => void,
): Promise<void> {
  const pending = new Set(items);
  const running = new Set<Promise<void>>();
  return new Promise<void>((resolve, reject) => {
    const pump = () => {
      for (const item of [...pending]) {
        const state = isReady(item);
        if (state === 'blocked') {
          pending.delete(item);
          onBlocked(item);
        }
      }
      for (const item of [...pending]) {
        if (running.size >= limit) break;
        if (isReady(item) !== 'ready') continue;
        pending.delete(item);
        const p: Promise<void> = work(item)
          .catch(reject)
          .finally(() => {
            running.delete(p);
            pump();
          });
        running.add(p);
      }
      if (pending.size === 0 && running.size === 0) resolve();
      else if (running.size === 0) {
        // Nothing can start: every pending item waits on something that will never finish.
        for (const item of pending) onBlocked(item);
        pending.clear();
        resolve();
      }
    };
    pump();
  });
}

/** What every phase of one buildImages call shares: the options resolved and the results so far. */
interface Run {
  opts: BuildImagesOptions;
  plan: BuildPlan;
  docker: DockerCli;
  builder: 'buildx' | 'classic';
  features: BuildFeatures;
  notice: (message: string) => void;
  progress: (message: string) => void;
  retry: RetryOptions;
  parallel: number;
  push: boolean;
  /** By image id; every image of the plan has one once the build phase is over. */
  results: Map<string, ImageResult>;
}

export async function buildImages(opts: BuildImagesOptions): Promise<BuildImagesResult> {
  const run = await startRun(opts);
  const existing = await existingInRegistry(run);
  const toBuild = selectBuilds(run, existing);
  await provideMappedBases(run, toBuild);
  // Secret files exist only while the builds run: written after the bases are pulled (a failed pull
  // leaves nothing behind) and removed whatever the builds' outcome.
  const secrets = await secretFiles(run.features.secrets);
  try {
    await buildAll(run, toBuild, secrets.args);
  } finally {
    await secrets.cleanup();
  }
  const failed = [...run.results.values()].filter((r) => r.status === 'failed');
  if (failed.length > 0 && !opts.pushPartial) {
    const errors = failed.map((r) => new KxError(`${r.name}: ${r.error}`, { file: r.dockerfile }));
    throw withResults(
      run,
      new KxAggregateError(
        errors,
        `${failed.length} of ${toBuild.length} image(s) failed to build; nothing was pushed:\n${errors.map((e) => `  - ${e.toString()}`).join('\n')}`,
      ),
    );
  }
  if (run.push) await pushAll(run, toBuild);
  const savedLocalImages = opts.saveLocalImages ? await saveLocalImages(run, opts.saveLocalImages) : undefined;
  if (failed.length > 0)
    throw withResults(
      run,
      new KxAggregateError(failed.map((r) => new KxError(`${r.name}: ${r.error}`, { file: r.dockerfile }))),
    );
  return { results: ordered(run), builder: run.builder, ...(savedLocalImages ? { savedLocalImages } : {}) };
}

/** Resolves the builder and checks the build features against it. */
async function startRun(opts: BuildImagesOptions): Promise<Run> {
  const docker = opts.docker ?? new DockerCli();
  const builder = await docker.resolveBuilder(opts.builder ?? 'auto');
  const features = opts.features ?? NO_FEATURES;
  checkBuildFeatures(features, builder, builder === 'buildx' ? (await docker.buildxInfo()).version : undefined);
  return {
    opts,
    plan: opts.plan,
    docker,
    builder,
    features,
    notice: opts.onNotice ?? (() => {}),
    progress: opts.onProgress ?? (() => {}),
    retry: { classify: classifyError, ...opts.retry },
    parallel: Math.max(1, opts.parallel ?? 2),
    push: opts.push ?? true,
    results: new Map(),
  };
}

/** Records (or replaces) the result of an image. */
function record(run: Run, img: PlannedImage, status: ImageStatus, extra: Partial<ImageResult> = {}): ImageResult {
  const r: ImageResult = {
    name: img.name,
    dockerfile: img.dockerfile,
    tag: img.tag,
    ref: img.ref,
    tags: img.tags,
    localOnly: img.localOnly,
    status,
    durationMs: 0,
    ...extra,
  };
  run.results.set(img.id, r);
  return r;
}

/** The results in plan order. */
function ordered(run: Run): ImageResult[] {
  return run.plan.images.map((i) => run.results.get(i.id)!);
}

/** The error with the results attached (the action's summary shows them). */
function withResults(run: Run, err: KxAggregateError): KxAggregateError {
  (err as KxAggregateError & { results?: ImageResult[] }).results = ordered(run);
  return err;
}

/** 1. What the registry already has (skip-existing): image id → manifest digest. */
async function existingInRegistry(run: Run): Promise<Map<string, string>> {
  const { opts } = run;
  const existing = new Map<string, string>();
  if (!opts.skipExisting || !run.push) return existing;
  await Promise.all(
    run.plan.images
      .filter((i) => !i.localOnly)
      .map(async (img) => {
        const ref = parseImageRef(img.ref);
        const auth = [...(opts.auth ? [opts.auth] : []), ...(opts.auths ?? [])].find(
          (a) => a.registry === ref.registry,
        );
        const client = new RegistryClient({
          registry: ref.registry,
          ...(auth ? { username: auth.username, password: auth.password } : {}),
          retry: run.retry,
        });
        const head = await client.headManifest(ref.repository, ref.tag ?? 'latest');
        if (head) existing.set(img.id, head.digest);
      }),
  );
  return existing;
}

/**
 * 2. Which images must be built: non-local images not skipped, plus the local bases they need.
 * Records the others as skipped, loaded or not-built.
 */
function selectBuilds(run: Run, existing: Map<string, string>): PlannedImage[] {
  const { plan, results } = run;
  const loaded = new Set(run.opts.loaded ?? []);
  const byId = new Map(plan.images.map((i) => [i.id, i]));
  const needed = new Set<string>();
  const need = (id: string) => {
    if (needed.has(id) || results.get(id)?.status === 'loaded') return;
    needed.add(id);
    byId.get(id)!.dependsOn.forEach(need);
  };
  const hasDependents = (id: string) => plan.images.some((i) => i.dependsOn.includes(id));
  for (const img of plan.images) {
    if (existing.has(img.id)) record(run, img, 'skipped', { digest: existing.get(img.id)! });
    else if (img.localOnly && img.tags.every((t) => loaded.has(t))) record(run, img, 'loaded');
    // A local-only image is built for the images that need it, or when it was asked for on its own.
    else if (!img.localOnly || (!img.implicit && !hasDependents(img.id))) need(img.id);
  }
  const toBuild = plan.images.filter((i) => needed.has(i.id));
  for (const img of plan.images) if (!needed.has(img.id) && !results.has(img.id)) record(run, img, 'not-built');
  return toBuild;
}

/** 3. Bases supplied through the base-images mapping: pull (unless present) and retag. */
async function provideMappedBases(run: Run, toBuild: PlannedImage[]): Promise<void> {
  const { docker } = run;
  const mappedNeeded = run.plan.baseImages.filter((m) => toBuild.some((i) => i.mappedBases.includes(m.localRef)));
  for (const m of mappedNeeded) {
    if (!(await docker.imageExists(m.source))) {
      run.progress(`pulling ${m.source} for ${m.localRef}`);
      await withRetry(() => docker.pull(m.source), run.retry).catch((e) => {
        throw new KxError(
          `cannot provide base ${m.localRef} from ${m.source} (registry ${sourceRegistry(m.source)}): ${errorMessage(e)}`,
        );
      });
    }
    await docker.tag(m.source, m.localRef);
  }
}

/** 4. Build in dependency order (loaded local-only images count as built); dependents of a failure fail. */
async function buildAll(run: Run, toBuild: PlannedImage[], secretArgs: string[]): Promise<void> {
  const { results } = run;
  const ok = new Set<string>(run.plan.images.filter((i) => results.get(i.id)?.status === 'loaded').map((i) => i.id));
  await runPool(
    toBuild,
    run.parallel,
    (img) => {
      if (img.dependsOn.some((d) => results.get(d)?.status === 'failed')) return 'blocked';
      return img.dependsOn.every((d) => ok.has(d)) ? 'ready' : 'wait';
    },
    (img) => buildOne(run, img, secretArgs, ok),
    (img) => {
      const failedBase = img.dependsOn.find((d) => results.get(d)?.status === 'failed');
      const r = record(run, img, 'failed', {
        error: failedBase ? `base image ${failedBase} failed to build` : 'not built',
      });
      run.opts.onImageDone?.(r, []);
    },
  );
}

/** Builds one image and records the result (built-only, its id added to `ok`, or failed). */
async function buildOne(run: Run, img: PlannedImage, secretArgs: string[], ok: Set<string>): Promise<void> {
  const { opts, features } = run;
  const output: string[] = [];
  const start = Date.now();
  run.progress(`building ${img.ref}`);
  try {
    const vars: ImageVars = { image: img.name, tag: img.tag, ref: img.ref, registry: registryOf(img) };
    const cacheFrom = await cacheSources(run, img, vars, output);
    const built = await run.docker.build({
      dockerfile: img.dockerfilePath,
      context: img.contextDir,
      tags: img.tags,
      builder: run.builder,
      ...(opts.buildArgs ? { buildArgs: opts.buildArgs } : {}),
      ...(img.labels ? { labels: img.labels } : {}),
      cacheFrom,
      cacheTo: cacheArgs(forImage(run, img, features.cacheTo, 'cache-to'), vars, 'cache-to'),
      target: features.target,
      secrets: secretArgs,
      buildContexts: features.buildContexts,
      onOutput: (l) => output.push(l),
    });
    ok.add(img.id);
    const r = record(run, img, 'built-only', { imageId: built.imageId, durationMs: Date.now() - start });
    run.progress(`built ${img.ref} in ${(r.durationMs / 1000).toFixed(1)} s`);
    opts.onImageDone?.(r, output);
  } catch (e) {
    const r = record(run, img, 'failed', { durationMs: Date.now() - start, error: errorMessage(e) });
    run.progress(`FAILED ${img.ref}`);
    opts.onImageDone?.(r, output);
  }
}

/** 5. Push every tag of the images that built (never local-only images). */
async function pushAll(run: Run, toBuild: PlannedImage[]): Promise<void> {
  const pushable = toBuild.filter((i) => !i.localOnly && run.results.get(i.id)?.status === 'built-only');
  await runPool(
    pushable,
    run.parallel,
    () => 'ready',
    (img) => pushOne(run, img),
    () => {},
  );
}

/** Pushes the main reference first, then the other tags, each with retries; the digest is the main one's. */
async function pushOne(run: Run, img: PlannedImage): Promise<void> {
  const r = run.results.get(img.id)!;
  const start = Date.now();
  const output: string[] = [];
  run.progress(`pushing ${img.ref}`);
  let digest = '';
  for (const tag of [img.ref, ...img.tags.filter((t) => t !== img.ref)]) {
    const d = await withRetry(
      (attempt) => {
        if (attempt > 1) output.push(`retry ${attempt} of push ${tag}`);
        return run.docker.push(tag, (l) => output.push(l));
      },
      {
        ...run.retry,
        onRetry: ({ attempt, delayMs, error }) =>
          run.progress(
            `push of ${tag} failed (attempt ${attempt}): ${errorMessage(error).split('\n').pop()}; retrying in ${delayMs} ms`,
          ),
      },
    ).catch((e) => {
      const kind = classifyError(e);
      throw new KxError(
        `push of ${tag} failed${kind === 'auth' ? ' (authentication: check username/password and the registry)' : ''}: ${errorMessage(e)}`,
        { file: img.dockerfile },
      );
    });
    if (tag === img.ref) digest = d;
  }
  r.status = 'pushed';
  r.digest = digest;
  r.durationMs += Date.now() - start;
  run.progress(`pushed ${img.tags.length > 1 ? img.tags.join(', ') : img.ref}@${digest}`);
  run.opts.onImageDone?.(r, output);
}

/** 6. Every local-only image of the run (built or loaded) into one tar; returns the references saved. */
async function saveLocalImages(run: Run, target: string): Promise<string[]> {
  const ready = new Set(['built-only', 'loaded']);
  const saved = run.plan.images
    .filter((i) => i.localOnly && ready.has(run.results.get(i.id)!.status))
    .flatMap((i) => i.tags);
  if (saved.length === 0) {
    run.notice('save-local-images: no local-only image in this run; nothing saved');
    return saved;
  }
  // Staged next to the target and moved into place: never a half-written tar under the final name.
  const partial = `${target}.partial-${process.pid}`;
  run.progress(`saving ${saved.length} local-only reference(s) to ${target}`);
  try {
    await run.docker.save(saved, partial);
    await rename(partial, target);
  } catch (e) {
    await rm(partial, { force: true });
    throw new KxError(`cannot save the local-only images to ${target}: ${errorMessage(e)}`);
  }
  return saved;
}

/** Local-only images never touch the registry: their registry-backed cache entries are left out. */
function forImage(
  run: Run,
  img: PlannedImage,
  entries: BuildFeatures['cacheFrom'],
  input: string,
): BuildFeatures['cacheFrom'] {
  if (!img.localOnly) return entries;
  const kept = entries.filter((c) => c.type !== 'image' && c.type !== 'registry');
  if (kept.length < entries.length)
    run.notice(
      `${input}: registry cache entries are not used for local-only/${img.name} (local-only images never reach the registry)`,
    );
  return kept;
}

/**
 * cache-from of one image. buildx takes the entries as they are. The classic builder can only
 * use images: each is pulled first (a missing one is a notice: the first build has no cache).
 */
async function cacheSources(run: Run, img: PlannedImage, vars: ImageVars, output: string[]): Promise<string[]> {
  const entries = cacheArgs(forImage(run, img, run.features.cacheFrom, 'cache-from'), vars, 'cache-from');
  if (run.builder === 'buildx') return entries;
  const usable: string[] = [];
  for (const ref of entries) {
    try {
      await run.docker.pull(ref);
      output.push(`cache-from: pulled ${ref}`);
      usable.push(ref);
    } catch (e) {
      const msg = errorMessage(e);
      const missing = /manifest unknown|not found|does not exist|no such/i.test(msg);
      if (missing) run.notice(`cache-from: ${ref} does not exist yet; ${img.name} is built without it`);
      else run.notice(`cache-from: cannot pull ${ref} (${msg.split('\n').pop()}); ${img.name} is built without it`);
      if (await run.docker.imageExists(ref)) usable.push(ref);
    }
  }
  return usable;
}

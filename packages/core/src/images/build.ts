// Building and pushing a planned tree of images: supplies mapped bases (pull + retag), asks the
// registry what already exists (skip-existing), builds in dependency order with at most `parallel`
// builds at once, fails the dependents of a failed image, and pushes (with retries) only when every
// selected image built — local-only images are never pushed.
import { KxAggregateError, KxError, errorMessage } from '../errors/index.js';
import { parseImageRef, RegistryClient } from '../registry/index.js';
import { withRetry, classifyError, type RetryOptions } from '../retry/index.js';
import { DockerCli, type Builder } from './docker.js';
import type { BuildPlan, PlannedImage } from './plan.js';

export type ImageStatus = 'pushed' | 'skipped' | 'built-only' | 'failed' | 'not-built';

export interface ImageResult {
  name: string;
  dockerfile: string;
  tag: string;
  ref: string;
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
  buildArgs?: Record<string, string>;
  retry?: RetryOptions;
  /** Per-image output, delivered when the image is done (so parallel logs do not interleave). */
  onImageDone?: (result: ImageResult, output: string[]) => void;
  /** Progress lines: "building x", "pushed y". */
  onProgress?: (message: string) => void;
}

export interface BuildImagesResult {
  results: ImageResult[];
  builder: 'buildx' | 'classic';
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

export async function buildImages(opts: BuildImagesOptions): Promise<BuildImagesResult> {
  const docker = opts.docker ?? new DockerCli();
  const builder = await docker.resolveBuilder(opts.builder ?? 'auto');
  const parallel = Math.max(1, opts.parallel ?? 2);
  const push = opts.push ?? true;
  const progress = opts.onProgress ?? (() => {});
  const retry: RetryOptions = { classify: classifyError, ...opts.retry };
  const { plan } = opts;
  const byId = new Map(plan.images.map((i) => [i.id, i]));
  const results = new Map<string, ImageResult>();
  const result = (img: PlannedImage, status: ImageStatus, extra: Partial<ImageResult> = {}): ImageResult => {
    const r: ImageResult = { name: img.name, dockerfile: img.dockerfile, tag: img.tag, ref: img.ref, localOnly: img.localOnly, status, durationMs: 0, ...extra };
    results.set(img.id, r);
    return r;
  };

  // 1. What the registry already has.
  const existing = new Map<string, string>();
  if (opts.skipExisting && push) {
    await Promise.all(
      plan.images
        .filter((i) => !i.localOnly)
        .map(async (img) => {
          const ref = parseImageRef(img.ref);
          const auth = opts.auth && opts.auth.registry === ref.registry ? opts.auth : undefined;
          const client = new RegistryClient({ registry: ref.registry, ...(auth ? { username: auth.username, password: auth.password } : {}), retry });
          const head = await client.headManifest(ref.repository, ref.tag ?? 'latest');
          if (head) existing.set(img.id, head.digest);
        }),
    );
  }

  // 2. Which images must be built: non-local images not skipped, plus the local bases they need.
  const needed = new Set<string>();
  const need = (id: string) => {
    if (needed.has(id)) return;
    needed.add(id);
    byId.get(id)!.dependsOn.forEach(need);
  };
  const hasDependents = (id: string) => plan.images.some((i) => i.dependsOn.includes(id));
  for (const img of plan.images) {
    if (existing.has(img.id)) result(img, 'skipped', { digest: existing.get(img.id)! });
    // A local-only image is built for the images that need it, or when it was asked for on its own.
    else if (!img.localOnly || (!img.implicit && !hasDependents(img.id))) need(img.id);
  }
  const toBuild = plan.images.filter((i) => needed.has(i.id));
  for (const img of plan.images) if (!needed.has(img.id) && !results.has(img.id)) result(img, 'not-built');

  // 3. Bases supplied through the base-images mapping: pull (unless present) and retag.
  const mappedNeeded = plan.baseImages.filter((m) => toBuild.some((i) => i.mappedBases.includes(m.localRef)));
  for (const m of mappedNeeded) {
    if (!(await docker.imageExists(m.source))) {
      progress(`pulling ${m.source} for ${m.localRef}`);
      await withRetry(() => docker.pull(m.source), retry).catch((e) => {
        throw new KxError(`cannot provide base ${m.localRef} from ${m.source} (registry ${sourceRegistry(m.source)}): ${errorMessage(e)}`);
      });
    }
    await docker.tag(m.source, m.localRef);
  }

  // 4. Build in dependency order.
  const ok = new Set<string>();
  await runPool(
    toBuild,
    parallel,
    (img) => {
      if (img.dependsOn.some((d) => results.get(d)?.status === 'failed')) return 'blocked';
      return img.dependsOn.every((d) => ok.has(d)) ? 'ready' : 'wait';
    },
    async (img) => {
      const output: string[] = [];
      const start = Date.now();
      progress(`building ${img.ref}`);
      try {
        const built = await docker.build({
          dockerfile: img.dockerfilePath,
          context: img.contextDir,
          tags: img.tags,
          builder,
          ...(opts.buildArgs ? { buildArgs: opts.buildArgs } : {}),
          onOutput: (l) => output.push(l),
        });
        ok.add(img.id);
        const r = result(img, 'built-only', { imageId: built.imageId, durationMs: Date.now() - start });
        progress(`built ${img.ref} in ${(r.durationMs / 1000).toFixed(1)} s`);
        opts.onImageDone?.(r, output);
      } catch (e) {
        const r = result(img, 'failed', { durationMs: Date.now() - start, error: errorMessage(e) });
        progress(`FAILED ${img.ref}`);
        opts.onImageDone?.(r, output);
      }
    },
    (img) => {
      const failedBase = img.dependsOn.find((d) => results.get(d)?.status === 'failed');
      const r = result(img, 'failed', { error: failedBase ? `base image ${failedBase} failed to build` : 'not built' });
      opts.onImageDone?.(r, []);
    },
  );

  const failed = [...results.values()].filter((r) => r.status === 'failed');
  const ordered = () => plan.images.map((i) => results.get(i.id)!);
  if (failed.length > 0 && !opts.pushPartial) {
    const errors = failed.map((r) => new KxError(`${r.name}: ${r.error}`, { file: r.dockerfile }));
    const err = new KxAggregateError(errors, `${failed.length} of ${toBuild.length} image(s) failed to build; nothing was pushed:\n${errors.map((e) => `  - ${e.toString()}`).join('\n')}`);
    (err as KxAggregateError & { results?: ImageResult[] }).results = ordered();
    throw err;
  }

  // 5. Push (never local-only images).
  if (push) {
    const pushable = toBuild.filter((i) => !i.localOnly && results.get(i.id)?.status === 'built-only');
    await runPool(
      pushable,
      parallel,
      () => 'ready',
      async (img) => {
        const r = results.get(img.id)!;
        const start = Date.now();
        const output: string[] = [];
        progress(`pushing ${img.ref}`);
        const digest = await withRetry((attempt) => {
          if (attempt > 1) output.push(`retry ${attempt} of push ${img.ref}`);
          return docker.push(img.ref, (l) => output.push(l));
        }, {
          ...retry,
          onRetry: ({ attempt, delayMs, error }) => progress(`push of ${img.ref} failed (attempt ${attempt}): ${errorMessage(error).split('\n').pop()}; retrying in ${delayMs} ms`),
        }).catch((e) => {
          const kind = classifyError(e);
          throw new KxError(`push of ${img.ref} failed${kind === 'auth' ? ' (authentication: check username/password and the registry)' : ''}: ${errorMessage(e)}`, { file: img.dockerfile });
        });
        r.status = 'pushed';
        r.digest = digest;
        r.durationMs += Date.now() - start;
        progress(`pushed ${img.ref}@${digest}`);
        opts.onImageDone?.(r, output);
      },
      () => {},
    );
  }
  if (failed.length > 0) {
    const err = new KxAggregateError(failed.map((r) => new KxError(`${r.name}: ${r.error}`, { file: r.dockerfile })));
    (err as KxAggregateError & { results?: ImageResult[] }).results = ordered();
    throw err;
  }
  return { results: ordered(), builder };
}

// The docker/build-push-action options a Kaapana build passes through — cache-from/cache-to,
// target, secrets, build-contexts — and which of them each builder can do. This module owns that
// table (see SUPPORT below, also in action-build-images/README.md): it parses the user's entries,
// refuses a buildx-only form under the classic builder with one error naming every offending
// entry, and expands the per-image placeholders ({{image}}, {{tag}}, {{ref}}, {{registry}}).
// Under the classic builder the only cache source is an image: build.ts pulls it before the build
// (a missing one is a notice, not a failure) and passes it as `--cache-from`.
import semver from 'semver';
import { KxError } from '../errors/index.js';

/** One cache-from/cache-to entry: buildx's `type=x,key=value` syntax, or a bare image reference. */
export interface CacheEntry {
  /** As written by the user (before placeholders are expanded). */
  raw: string;
  /** `image` for a bare reference; otherwise the `type=` value (registry, gha, local, inline, s3, azblob). */
  type: string;
}

export interface BuildFeatures {
  cacheFrom: CacheEntry[];
  cacheTo: CacheEntry[];
  target: string;
  /** `id=value` secrets (values are written to 0600 temp files, never put on a command line). */
  secrets: { id: string; value: string }[];
  /** `name=path|docker-image://ref|...` additional build contexts. */
  buildContexts: string[];
}

export const NO_FEATURES: BuildFeatures = { cacheFrom: [], cacheTo: [], target: '', secrets: [], buildContexts: [] };

/** Which forms each builder takes (documentation and the refusal messages use this). */
export const SUPPORT = {
  'cache-from: <image ref>': 'both (classic: pulled first, then --cache-from; buildx: registry cache / inline cache)',
  'cache-from: type=registry|gha|local|s3|azblob,…': 'buildx only',
  'cache-to: …': 'buildx only (the classic builder cannot export cache: its cache is the pushed image)',
  target: 'both (docker build --target)',
  secrets: 'buildx only (RUN --mount=type=secret needs BuildKit)',
  'build-contexts': 'buildx only (--build-context needs buildx ≥ 0.8)',
} as const;

const TYPE_RE = /(?:^|,)\s*type=([a-z0-9-]+)/i;

export function parseCacheEntry(raw: string, input: string): CacheEntry {
  const s = raw.trim();
  if (s === '') throw new KxError(`${input}: empty entry`);
  const type = TYPE_RE.exec(s)?.[1]?.toLowerCase();
  if (type) return { raw: s, type };
  if (s.includes('='))
    throw new KxError(
      `${input}: "${s}" has key=value fields but no type= (write type=registry,ref=… or a bare image reference)`,
    );
  return { raw: s, type: 'image' };
}

export function parseSecrets(lines: string[], input = 'secrets'): { id: string; value: string }[] {
  return lines.map((l) => {
    const eq = l.indexOf('=');
    const id = eq > 0 ? l.slice(0, eq).trim() : '';
    if (!/^[A-Za-z0-9_.-]+$/.test(id))
      throw new KxError(`${input}: each entry is id=value with an id of [A-Za-z0-9_.-] (the value is not shown here)`);
    return { id, value: l.slice(eq + 1) };
  });
}

export function parseBuildContexts(lines: string[], input = 'build-contexts'): string[] {
  for (const l of lines) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_./-]*=.+$/.test(l))
      throw new KxError(`${input}: "${l}" is not name=path or name=docker-image://ref`);
  }
  return lines;
}

/**
 * Refuse what the resolved builder cannot do: every offending entry in one error, with the form
 * that would work. `buildxVersion` (when known) gates build-contexts (buildx ≥ 0.8).
 */
export function checkBuildFeatures(f: BuildFeatures, builder: 'buildx' | 'classic', buildxVersion?: string): void {
  const problems: string[] = [];
  if (builder === 'classic') {
    for (const c of f.cacheFrom) {
      if (c.type !== 'image')
        problems.push(
          `cache-from "${c.raw}": type=${c.type} is a buildx cache; the classic builder takes only an image reference (e.g. the previously pushed tag {{registry}}/{{image}}:latest)`,
        );
    }
    for (const c of f.cacheTo)
      problems.push(
        `cache-to "${c.raw}": the classic builder cannot export a cache (the pushed image is its cache: use cache-from with its reference)`,
      );
    if (f.secrets.length)
      problems.push(
        `secrets (${f.secrets.map((s) => s.id).join(', ')}): build secrets (RUN --mount=type=secret) need BuildKit; the classic builder has none — use build-args for non-secret values or install buildx`,
      );
    if (f.buildContexts.length)
      problems.push(
        `build-contexts (${f.buildContexts.map((b) => b.split('=')[0]).join(', ')}): --build-context needs buildx; the classic builder builds from one context`,
      );
  } else if (
    f.buildContexts.length &&
    buildxVersion &&
    semver.valid(buildxVersion) &&
    semver.lt(buildxVersion, '0.8.0')
  ) {
    problems.push(`build-contexts need buildx ≥ 0.8; this runner has buildx ${buildxVersion}`);
  }
  if (problems.length) {
    throw new KxError(
      `the ${builder === 'classic' ? 'classic builder (no buildx, or DOCKER_BUILDKIT=0, or builder: classic)' : 'buildx builder'} cannot do what was asked:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

export interface ImageVars {
  image: string;
  tag: string;
  ref: string;
  registry: string;
}

/** `{{image}}`, `{{tag}}`, `{{ref}}`, `{{registry}}` of one image; an unknown placeholder is an error. */
export function expandImageVars(text: string, vars: ImageVars, input: string): string {
  return text.replace(/\{\{\s*([a-z-]+)\s*\}\}/g, (m, name: string) => {
    if (!(name in vars))
      throw new KxError(
        `${input}: unknown placeholder ${m} in "${text}" (known: {{image}}, {{tag}}, {{ref}}, {{registry}})`,
      );
    return vars[name as keyof ImageVars];
  });
}

/**
 * The cache-from/cache-to values of one image. A `type=gha` entry without `scope=` gets
 * `scope=<image>`: buildx's default scope is shared, so the images of one extension would
 * overwrite each other's cache.
 */
export function cacheArgs(entries: CacheEntry[], vars: ImageVars, input: string): string[] {
  return entries.map((c) => {
    let v = expandImageVars(c.raw, vars, input);
    if (c.type === 'gha' && !/(?:^|,)\s*scope=/.test(v)) v += `,scope=${vars.image}`;
    return v;
  });
}

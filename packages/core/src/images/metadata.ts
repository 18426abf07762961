// Image metadata from git, the way docker/metadata-action writes it: the OCI labels
// `org.opencontainers.image.{source,revision,created,version,title,description,url,licenses}` and
// extra tags such as `latest` or `sha-{{sha}}` (7-character short SHA, metadata-action's default).
// Sources, first found wins: the GitHub runner's variables (GITHUB_SHA, GITHUB_SERVER_URL +
// GITHUB_REPOSITORY, the event payload's repository description/licence), then the git checkout
// itself (`git rev-parse HEAD`, `git remote get-url origin` without any credentials in it).
// Labels a Dockerfile sets itself are kept (a generated value never overrides them); labels the user
// passes override everything. Only pushed images are labelled (see applyMetadata for why). `applyMetadata` writes labels and extra tags into a build plan, so the
// plan output and the job summary show exactly what is built.
import { readFileSync } from 'node:fs';
import { KxError } from '../errors/index.js';
import { nodeExec, type Exec } from '../exec/index.js';
import { parseDockerfile } from './dockerfile.js';
import { validateTag } from './tags.js';
import type { BuildPlan, PlannedImage } from './plan.js';

export interface GitMetadata {
  /** Full commit SHA. */
  revision?: string;
  /** https URL of the repository (no credentials). */
  source?: string;
  /** ISO 8601 time of the build (SOURCE_DATE_EPOCH when set, for reproducible builds). */
  created: string;
  description?: string;
  /** SPDX id of the repository's licence (from the GitHub event payload). */
  licenses?: string;
}

export const OCI = 'org.opencontainers.image';

async function git(exec: Exec, args: string[], cwd: string): Promise<string | undefined> {
  try {
    const r = await exec('git', args, { cwd });
    return (r.exitCode === 0 && r.stdout.trim()) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A remote URL as a browsable https URL without user info: `git@github.com:o/r.git`,
 * `ssh://git@host/o/r`, `https://user:token@host/o/r.git` → `https://host/o/r`. Anything else
 * (a local path) gives undefined: it is no useful `source`.
 */
export function remoteToSource(url: string): string | undefined {
  const u = url.trim();
  const scp = /^[^@/\s]+@([^:/\s]+):(.+?)(?:\.git)?\/?$/.exec(u);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  try {
    const parsed = new URL(u);
    if (!['http:', 'https:', 'ssh:', 'git:'].includes(parsed.protocol)) return undefined;
    const path = parsed.pathname.replace(/\.git\/?$/, '').replace(/\/+$/, '');
    return `https://${parsed.hostname}${parsed.protocol === 'https:' || parsed.protocol === 'http:' ? (parsed.port ? `:${parsed.port}` : '') : ''}${path}`;
  } catch {
    return undefined;
  }
}

interface EventRepository {
  html_url?: string;
  description?: string | null;
  license?: { spdx_id?: string | null } | null;
}

function eventRepository(env: NodeJS.ProcessEnv): EventRepository | undefined {
  if (!env.GITHUB_EVENT_PATH) return undefined;
  try {
    const event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as { repository?: EventRepository };
    return event.repository;
  } catch {
    return undefined;
  }
}

export async function readGitMetadata(
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  now = new Date(),
  exec: Exec = nodeExec,
): Promise<GitMetadata> {
  const repo = eventRepository(env);
  const epoch =
    env.SOURCE_DATE_EPOCH && /^\d+$/.test(env.SOURCE_DATE_EPOCH) ? new Date(Number(env.SOURCE_DATE_EPOCH) * 1000) : now;
  const meta: GitMetadata = { created: epoch.toISOString() };
  const revision =
    (env.GITHUB_SHA && /^[0-9a-f]{40,64}$/.test(env.GITHUB_SHA) ? env.GITHUB_SHA : undefined) ??
    (await git(exec, ['rev-parse', 'HEAD'], cwd));
  if (revision) meta.revision = revision;
  const source =
    repo?.html_url ??
    (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY
      ? `${env.GITHUB_SERVER_URL.replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}`
      : undefined) ??
    remoteToSource((await git(exec, ['remote', 'get-url', 'origin'], cwd)) ?? '');
  if (source) meta.source = source;
  if (repo?.description) meta.description = repo.description;
  const spdx = repo?.license?.spdx_id;
  if (spdx && spdx !== 'NOASSERTION') meta.licenses = spdx;
  return meta;
}

/** The OCI labels of one image (only keys with a value). */
export function ociLabels(meta: GitMetadata, image: { name: string; version: string }): Record<string, string> {
  const labels: Record<string, string> = {
    [`${OCI}.title`]: image.name,
    [`${OCI}.version`]: image.version,
    [`${OCI}.created`]: meta.created,
  };
  if (meta.source) {
    labels[`${OCI}.source`] = meta.source;
    labels[`${OCI}.url`] = meta.source;
  }
  if (meta.revision) labels[`${OCI}.revision`] = meta.revision;
  if (meta.description) labels[`${OCI}.description`] = meta.description;
  if (meta.licenses) labels[`${OCI}.licenses`] = meta.licenses;
  return labels;
}

/**
 * An extra tag with its placeholders filled: `{{sha}}` (7 characters), `{{long-sha}}`, `{{version}}`
 * (the image's own tag). The result must be a legal Docker tag.
 */
export function expandExtraTag(template: string, vars: { sha?: string; version: string }): string {
  const out = template.trim().replace(/\{\{\s*([a-z-]+)\s*\}\}/g, (m, name: string) => {
    if (name === 'version') return vars.version;
    if (name === 'sha' || name === 'long-sha') {
      if (!vars.sha)
        throw new KxError(`extra-tags: ${m} needs the commit SHA, but neither GITHUB_SHA nor a git checkout gives one`);
      return name === 'sha' ? vars.sha.slice(0, 7) : vars.sha;
    }
    throw new KxError(
      `extra-tags: unknown placeholder ${m} in "${template}" (known: {{sha}}, {{long-sha}}, {{version}})`,
    );
  });
  try {
    return validateTag(out);
  } catch (e) {
    throw new KxError(`extra-tags: "${template}" → ${(e as Error).message}`);
  }
}

/** The labels a Dockerfile sets itself (one `LABEL k=v` per line, as Kaapana reads them). */
function ownLabels(img: PlannedImage): Record<string, string | undefined> {
  return parseDockerfile(readFileSync(img.dockerfilePath, 'utf8'), img.dockerfile).labels;
}

export interface MetadataOptions {
  /** Write the OCI labels (default true; false = opt out). */
  ociLabels?: boolean;
  /** Labels of the user, on every image; they override generated ones. */
  labels?: Record<string, string>;
  /** Extra tags of every pushed image (templates, see expandExtraTag). */
  extraTags?: string[];
  meta: GitMetadata;
}

/**
 * Labels and extra tags into the plan: each pushed image gets `labels` (what `--label` receives)
 * and the extra tags in `tags` (its main reference stays first). Local-only images get neither.
 */
export function applyMetadata(
  plan: BuildPlan,
  opts: MetadataOptions,
  dockerfileLabels: (img: PlannedImage) => Record<string, string | undefined> = ownLabels,
): BuildPlan {
  const images = plan.images.map((img) => {
    // Local-only images get no labels: they are never pushed, and a label that changes per run
    // (created, revision) would give the base a new image id each run, so the classic builder's
    // --cache-from would never match the images built FROM it.
    if (img.localOnly) return { ...img, labels: {} };
    const own = dockerfileLabels(img);
    const labels: Record<string, string> = {};
    if (opts.ociLabels ?? true) {
      for (const [k, v] of Object.entries(ociLabels(opts.meta, { name: img.name, version: img.tag })))
        if (own[k] === undefined) labels[k] = v;
    }
    Object.assign(labels, opts.labels ?? {});
    let tags = img.tags;
    if (opts.extraTags?.length) {
      const repo = img.ref.slice(0, img.ref.length - img.tag.length - 1);
      const extra = opts.extraTags.map(
        (t) =>
          `${repo}:${expandExtraTag(t, { ...(opts.meta.revision ? { sha: opts.meta.revision } : {}), version: img.tag })}`,
      );
      tags = [...new Set([...img.tags, ...extra])];
    }
    return { ...img, tags, labels };
  });
  return { ...plan, images };
}

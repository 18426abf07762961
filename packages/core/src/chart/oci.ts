// Charts in OCI registries as helm 3 stores them (pkg/registry): push = config blob (JSON of
// Chart.yaml metadata, `application/vnd.cncf.helm.config.v1+json`), one layer with the .tgz
// (`application/vnd.cncf.helm.chart.content.v1.tar+gzip`), an OCI image manifest with helm's
// annotations, tagged `<version>` (`+` → `_`) in `<path>/<chart name>`; pull = the reverse, accepting
// the legacy `application/tar+gzip` layer. Registry traffic goes through the core RegistryClient.
import { KxError } from '../errors/index.js';
import { redactUrls, splitUrlCredentials } from '../secrets/index.js';
import { RegistryClient, sha256Digest, type RegistryClientOptions } from '../registry/index.js';
import type { RetryOptions } from '../retry/index.js';
import { goJsonMetadata, goJsonValue } from './go-json.js';
import { loadArchive } from './load.js';
import type { Metadata } from './model.js';
import { rfc3339Nano } from './lock.js';
import {
  compareChartVersions,
  isChartSemver,
  parseChartVersion,
  parseConstraint,
  satisfiesConstraint,
} from './semver.js';

export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const HELM_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.helm.config.v1+json';
export const HELM_CHART_LAYER_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
export const HELM_PROV_LAYER_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.provenance.v1.prov';
export const LEGACY_CHART_LAYER_MEDIA_TYPE = 'application/tar+gzip';

export interface OciLocation {
  /** `host[:port]`, never with credentials. */
  registry: string;
  /** Repository path below the registry, without the chart name (may be empty). */
  path: string;
  /** Credentials written into the URL (`oci://user:password@host`), decoded. */
  username?: string;
  password?: string;
}

/** Parse `oci://[user[:password]@]host[:port][/path]`; messages never show the credentials. */
export function parseOciUrl(url: string): OciLocation {
  const { url: clean, username, password } = splitUrlCredentials(url);
  const m = /^oci:\/\/([^/]+)(?:\/(.*))?$/.exec(clean);
  if (!m || !m[1]) throw new KxError(`"${redactUrls(url)}" is not an OCI reference; expected oci://host[:port]/path`);
  return {
    registry: m[1],
    path: (m[2] ?? '').replace(/\/+$/, ''),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

export interface OciAuth {
  username?: string;
  password?: string;
  insecure?: boolean;
  retry?: RetryOptions;
}

/** Credentials given as options win over those written into the URL. */
function client(loc: OciLocation, auth: OciAuth): RegistryClient {
  const opts: RegistryClientOptions = { registry: loc.registry };
  const username = auth.username ?? loc.username;
  const password = auth.password ?? loc.password;
  if (username !== undefined) opts.username = username;
  if (password !== undefined) opts.password = password;
  if (auth.insecure !== undefined) opts.insecure = auth.insecure;
  if (auth.retry !== undefined) opts.retry = auth.retry;
  return new RegistryClient(opts);
}

const repoOf = (loc: OciLocation, name: string) => (loc.path ? `${loc.path}/${name}` : name);
export const ociTag = (version: string) => version.replaceAll('+', '_');

/** helm's manifest annotations for a chart. */
export function ociAnnotations(md: Metadata, created: Date): Record<string, string> {
  const a: Record<string, string> = {};
  const set = (k: string, v: string | undefined) => {
    if (v) a[k] = v;
  };
  set('org.opencontainers.image.description', md.description);
  set('org.opencontainers.image.title', md.name);
  set('org.opencontainers.image.version', md.version);
  set('org.opencontainers.image.url', md.home);
  set('org.opencontainers.image.created', rfc3339Nano(created).replace(/\.\d+Z$/, 'Z'));
  set('org.opencontainers.image.source', md.sources?.[0]);
  const authors = (md.maintainers ?? [])
    .filter((m): m is NonNullable<typeof m> => m !== null)
    .map((m) => (m.email ? `${m.name ?? ''} (${m.email})` : (m.name ?? '')))
    .filter((x) => x);
  set('org.opencontainers.image.authors', authors.join(', '));
  for (const [k, v] of Object.entries(md.annotations ?? {})) {
    if (k === 'org.opencontainers.image.version' || k === 'org.opencontainers.image.title') continue;
    a[k] = v;
  }
  return a;
}

export interface PushOptions extends OciAuth {
  /** Leave an existing tag alone instead of overwriting it. */
  skipExisting?: boolean;
  /** Value of the `created` annotation. Default: SOURCE_DATE_EPOCH or the epoch (deterministic). */
  created?: Date;
}

export interface PushResult {
  /** `host/path/name:tag` */
  ref: string;
  digest: string;
  status: 'pushed' | 'skipped';
  name: string;
  version: string;
}

/** Push a chart archive (bytes or path) to `oci://host/path` as helm push does. */
export async function pushChart(archive: Buffer | string, ociUrl: string, opts: PushOptions = {}): Promise<PushResult> {
  const loc = parseOciUrl(ociUrl);
  const data =
    typeof archive === 'string' ? await import('node:fs/promises').then((fs) => fs.readFile(archive)) : archive;
  const chart = await loadArchive(data, typeof archive === 'string' ? archive : 'chart archive');
  const md = chart.metadata;
  const name = md.name as string;
  const version = md.version as string;
  const repo = repoOf(loc, name);
  const tag = ociTag(version);
  const ref = `${loc.registry}/${repo}:${tag}`;
  const reg = client(loc, opts);
  if (opts.skipExisting) {
    const existing = await reg.headManifest(repo, tag);
    if (existing) return { ref, digest: existing.digest, status: 'skipped', name, version };
  }
  const config = Buffer.from(goJsonMetadata(md));
  const configDesc = await reg.pushBlob(repo, config);
  const layerDesc = await reg.pushBlob(repo, data);
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  const created = opts.created ?? new Date((Number.isInteger(epoch) && epoch >= 0 ? epoch : 0) * 1000);
  const manifest =
    `{"schemaVersion":2,` +
    `"config":{"mediaType":"${HELM_CONFIG_MEDIA_TYPE}","digest":"${configDesc.digest}","size":${configDesc.size}},` +
    `"layers":[{"mediaType":"${HELM_CHART_LAYER_MEDIA_TYPE}","digest":"${layerDesc.digest}","size":${layerDesc.size}}],` +
    `"annotations":${goJsonValue(ociAnnotations(md, created))}}`;
  const digest = await reg.putManifest(repo, tag, OCI_MANIFEST_MEDIA_TYPE, manifest);
  return { ref, digest, status: 'pushed', name, version };
}

export interface PulledChart {
  data: Buffer;
  version: string;
  ref: string;
  manifestDigest: string;
  configMediaType: string;
  layerMediaType: string;
}

/** Tags of `oci://.../name` that are chart versions (`_` → `+`), newest first. */
export async function listChartVersions(ociUrl: string, name: string, opts: OciAuth = {}): Promise<string[]> {
  const loc = parseOciUrl(ociUrl);
  const tags = await client(loc, opts).tags(repoOf(loc, name));
  return tags
    .map((t) => t.replaceAll('_', '+'))
    .filter((v) => isChartSemver(parseChartVersion(v)))
    .sort((a, b) => compareChartVersions(b, a));
}

/** Pull chart `name` from `oci://host/path` at an exact version or the newest matching a constraint. */
export async function pullChart(
  ociUrl: string,
  name: string,
  versionOrConstraint: string,
  opts: OciAuth = {},
): Promise<PulledChart> {
  const loc = parseOciUrl(ociUrl);
  const reg = client(loc, opts);
  const repo = repoOf(loc, name);
  let version = versionOrConstraint;
  const exact = /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?$/.test(versionOrConstraint);
  if (!exact) {
    const c = parseConstraint(versionOrConstraint || '*');
    const found = (await listChartVersions(ociUrl, name, opts)).find((v) => satisfiesConstraint(v, c));
    if (!found)
      throw new KxError(`no version of ${loc.registry}/${repo} satisfies the constraint "${versionOrConstraint}"`);
    version = found;
  }
  const tag = ociTag(version);
  const ref = `${loc.registry}/${repo}:${tag}`;
  const m = await reg.getManifest(repo, tag, [OCI_MANIFEST_MEDIA_TYPE]).catch((e: unknown) => {
    throw new KxError(`cannot pull ${ref}: ${(e as Error).message}`);
  });
  const manifest = JSON.parse(m.body.toString('utf8')) as {
    config?: { mediaType?: string };
    layers?: { mediaType: string; digest: string; size: number }[];
  };
  const layer = (manifest.layers ?? []).find(
    (l) => l.mediaType === HELM_CHART_LAYER_MEDIA_TYPE || l.mediaType === LEGACY_CHART_LAYER_MEDIA_TYPE,
  );
  if (!layer) throw new KxError(`${ref} is not a helm chart: no layer of type ${HELM_CHART_LAYER_MEDIA_TYPE}`);
  const data = await reg.getBlob(repo, layer.digest);
  if (sha256Digest(data) !== layer.digest) throw new KxError(`${ref}: chart layer digest mismatch`);
  return {
    data,
    version,
    ref,
    manifestDigest: m.digest,
    configMediaType: manifest.config?.mediaType ?? '',
    layerMediaType: layer.mediaType,
  };
}

// Chart repositories over HTTP(S): fetching and reading `index.yaml` (helm `pkg/repo`), choosing the
// newest chart version that satisfies a constraint, resolving its download URL against the repository
// URL, and downloading the archive. Transient failures are retried; http:// is accepted as well.
import { parse } from 'yaml';
import { KxError } from '../errors/index.js';
import { splitUrlCredentials } from '../secrets/index.js';
import { MAX_CHART_SIZE } from './load.js';
import { StatusError, withRetry, type RetryOptions } from '../retry/index.js';
import { compareChartVersions, parseConstraint, satisfiesConstraint } from './semver.js';

export interface IndexEntry {
  name: string;
  version: string;
  urls: string[];
  digest?: string;
}

export interface RepoIndex {
  url: string;
  entries: Map<string, IndexEntry[]>;
}

export interface HttpOptions {
  retry?: RetryOptions;
  /** Extra headers, e.g. Authorization. */
  headers?: Record<string, string>;
}

/** Largest body read from a chart repository (index.yaml or a chart archive). */
export const MAX_DOWNLOAD_SIZE = MAX_CHART_SIZE;

/**
 * GET with credentials from the URL's userinfo sent as Basic auth (fetch refuses such URLs, and
 * messages must not show them); the body is read up to MAX_DOWNLOAD_SIZE, a larger declared
 * Content-Length is refused before anything is read.
 */
async function httpGet(rawUrl: string, opts: HttpOptions): Promise<Buffer> {
  const { url, username, password } = splitUrlCredentials(rawUrl);
  const headers: Record<string, string> = { ...opts.headers };
  if (username !== undefined || password !== undefined) {
    headers.Authorization = `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64')}`;
  }
  return withRetry(async () => {
    const res = await fetch(url, { headers, redirect: 'follow' });
    if (!res.ok) throw new StatusError(`GET ${url}: ${res.status} ${res.statusText}`, res.status);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    const tooBig = () => new KxError(`GET ${url}: the response is larger than ${MAX_DOWNLOAD_SIZE} bytes`);
    if (declared > MAX_DOWNLOAD_SIZE) {
      await res.body?.cancel();
      throw tooBig();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body ?? []) {
      size += (chunk as Uint8Array).length;
      if (size > MAX_DOWNLOAD_SIZE) throw tooBig();
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
    return Buffer.concat(chunks);
  }, opts.retry);
}

/** Parse index.yaml text (YAML or JSON); entries sorted newest first like helm's SortEntries. */
export function parseRepoIndex(text: string, url: string): RepoIndex {
  if (text.trim() === '') throw new KxError('empty index.yaml file', { file: `${url}/index.yaml` });
  let doc: unknown;
  try {
    doc = parse(text, { version: '1.1', uniqueKeys: false });
  } catch (e) {
    throw new KxError(`cannot parse index.yaml: ${(e as Error).message.split('\n')[0]}`, { file: `${url}/index.yaml` });
  }
  const root = doc as { apiVersion?: unknown; entries?: Record<string, unknown[]> } | null;
  if (!root || typeof root !== 'object' || !root.apiVersion)
    throw new KxError('no API version specified', { file: `${url}/index.yaml` });
  const entries = new Map<string, IndexEntry[]>();
  for (const [name, list] of Object.entries(root.entries ?? {})) {
    const versions: IndexEntry[] = [];
    for (const raw of Array.isArray(list) ? list : []) {
      const e = raw as { name?: unknown; version?: unknown; urls?: unknown; digest?: unknown };
      if (!e || typeof e !== 'object' || e.version === undefined || e.version === null) continue;
      versions.push({
        name: typeof e.name === 'string' ? e.name : name,
        version: String(e.version),
        urls: Array.isArray(e.urls) ? e.urls.map(String) : [],
        ...(typeof e.digest === 'string' ? { digest: e.digest } : {}),
      });
    }
    versions.sort((a, b) => compareChartVersions(b.version, a.version));
    entries.set(name, versions);
  }
  return { url, entries };
}

/** Download and parse `<repoUrl>/index.yaml`. */
export async function fetchRepoIndex(repoUrl: string, opts: HttpOptions = {}): Promise<RepoIndex> {
  const base = repoUrl.replace(/\/+$/, '');
  const body = await httpGet(`${base}/index.yaml`, opts).catch((e: unknown) => {
    throw new KxError(
      `looks like "${repoUrl}" is not a valid chart repository or cannot be reached: ${(e as Error).message}`,
    );
  });
  return parseRepoIndex(body.toString('utf8'), base);
}

/** The newest entry with a URL whose version satisfies `constraint` (helm `IndexFile.Get`). */
export function findInIndex(index: RepoIndex, name: string, constraint: string): IndexEntry | undefined {
  const list = index.entries.get(name) ?? [];
  const c = parseConstraint(constraint === '' ? '*' : constraint);
  return list.find((e) => e.urls.length > 0 && satisfiesConstraint(e.version, c));
}

/** Resolve a (possibly relative) chart URL against the repository URL as helm does. */
export function resolveChartUrl(repoUrl: string, chartUrl: string): string {
  try {
    return new URL(chartUrl).toString();
  } catch {
    const base = repoUrl.endsWith('/') ? repoUrl : `${repoUrl}/`;
    return new URL(chartUrl, base).toString();
  }
}

export async function downloadChart(url: string, opts: HttpOptions = {}): Promise<Buffer> {
  return httpGet(url, opts);
}

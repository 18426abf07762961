// A client for the Docker Registry HTTP API v2 / OCI distribution spec: manifests, blobs, catalog,
// tags, with Basic and Bearer-token auth and retries of transient failures (via ../retry). It knows
// nothing about what the manifests describe: images and Helm charts build on it.
import { createHash } from 'node:crypto';
import { withRetry, StatusError, classifyError, type RetryOptions } from '../retry/index.js';
import { KxError } from '../errors/index.js';
import { isLoopbackRegistry } from './ref.js';

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

export interface RegistryClientOptions {
  /** `host[:port]` of the registry. */
  registry: string;
  username?: string;
  password?: string;
  /** Plain HTTP instead of HTTPS. Default: true for loopback registries, false otherwise. */
  insecure?: boolean;
  retry?: RetryOptions;
}

export interface ManifestInfo {
  digest: string;
  mediaType: string;
  size: number;
}

interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Repository for the token scope; `undefined` for registry-wide calls. */
  repository?: string;
  /** Scope actions: `pull` or `pull,push`. */
  actions?: string;
  /** Statuses that are answers, not failures (e.g. 404 for HEAD). */
  ok?: number[];
}

export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export class RegistryClient {
  readonly registry: string;
  private readonly base: string;
  private readonly basic?: string;
  private readonly retry: RetryOptions;
  private readonly tokens = new Map<string, string>();

  constructor(opts: RegistryClientOptions) {
    this.registry = opts.registry;
    const insecure = opts.insecure ?? isLoopbackRegistry(opts.registry);
    this.base = `${insecure ? 'http' : 'https'}://${opts.registry}`;
    if (opts.username !== undefined && opts.password !== undefined) {
      this.basic = Buffer.from(`${opts.username}:${opts.password}`).toString('base64');
    }
    this.retry = { classify: classifyError, ...opts.retry };
  }

  /** Manifest digest/type/size, or undefined when the registry has no such manifest. */
  async headManifest(repository: string, reference: string): Promise<ManifestInfo | undefined> {
    const res = await this.request(`/v2/${repository}/manifests/${reference}`, {
      method: 'HEAD',
      headers: { Accept: MANIFEST_TYPES.join(', ') },
      repository,
      actions: 'pull',
      ok: [404],
    });
    if (res.status === 404) return undefined;
    return {
      digest: res.headers.get('docker-content-digest') ?? '',
      mediaType: (res.headers.get('content-type') ?? '').split(';')[0]!.trim(),
      size: Number(res.headers.get('content-length') ?? 0),
    };
  }

  async getManifest(repository: string, reference: string, accept: string[] = MANIFEST_TYPES) {
    const res = await this.request(`/v2/${repository}/manifests/${reference}`, {
      headers: { Accept: accept.join(', ') },
      repository,
      actions: 'pull',
    });
    const body = Buffer.from(await res.arrayBuffer());
    return {
      digest: res.headers.get('docker-content-digest') ?? sha256Digest(body),
      mediaType: (res.headers.get('content-type') ?? '').split(';')[0]!.trim(),
      body,
    };
  }

  async putManifest(
    repository: string,
    reference: string,
    mediaType: string,
    body: Uint8Array | string,
  ): Promise<string> {
    const res = await this.request(`/v2/${repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'Content-Type': mediaType },
      body,
      repository,
      actions: 'pull,push',
    });
    await res.arrayBuffer();
    return res.headers.get('docker-content-digest') ?? sha256Digest(body);
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const res = await this.request(`/v2/${repository}/blobs/${digest}`, {
      method: 'HEAD',
      repository,
      actions: 'pull',
      ok: [404],
    });
    return res.status !== 404;
  }

  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const res = await this.request(`/v2/${repository}/blobs/${digest}`, { repository, actions: 'pull' });
    const data = Buffer.from(await res.arrayBuffer());
    const actual = sha256Digest(data);
    if (digest.startsWith('sha256:') && actual !== digest) {
      throw new KxError(`blob ${digest} from ${this.registry}/${repository} has digest ${actual}`);
    }
    return data;
  }

  /** Upload a blob (monolithic POST + PUT); a blob already present is not sent again. */
  async pushBlob(repository: string, data: Uint8Array): Promise<{ digest: string; size: number }> {
    const digest = sha256Digest(data);
    if (await this.hasBlob(repository, digest)) return { digest, size: data.byteLength };
    await withRetry(async () => {
      const start = await this.request(
        `/v2/${repository}/blobs/uploads/`,
        {
          method: 'POST',
          repository,
          actions: 'pull,push',
        },
        false,
      );
      await start.arrayBuffer();
      const location = start.headers.get('location');
      if (!location) throw new StatusError(`registry ${this.registry} gave no upload location`, 502);
      const url = new URL(location, this.base);
      url.searchParams.set('digest', digest);
      const put = await this.request(
        url.toString(),
        {
          method: 'PUT',
          headers: { 'Content-Type': 'application/octet-stream' },
          body: data,
          repository,
          actions: 'pull,push',
        },
        false,
      );
      await put.arrayBuffer();
    }, this.retry);
    return { digest, size: data.byteLength };
  }

  async catalog(): Promise<string[]> {
    const out: string[] = [];
    let path: string | undefined = '/v2/_catalog?n=1000';
    while (path) {
      const res = await this.request(path, { actions: 'pull' });
      const body = (await res.json()) as { repositories?: string[] };
      out.push(...(body.repositories ?? []));
      path = nextLink(res.headers.get('link'));
    }
    return out;
  }

  async tags(repository: string): Promise<string[]> {
    const res = await this.request(`/v2/${repository}/tags/list`, { repository, actions: 'pull', ok: [404] });
    if (res.status === 404) return [];
    const body = (await res.json()) as { tags?: string[] | null };
    return body.tags ?? [];
  }

  /** One HTTP exchange with auth handling; retried on transient failures unless `retry` is false. */
  private async request(pathOrUrl: string, opts: RequestOptions, retry = true): Promise<Response> {
    const once = () => this.send(pathOrUrl, opts);
    return retry ? withRetry(once, this.retry) : once();
  }

  private async send(pathOrUrl: string, opts: RequestOptions): Promise<Response> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${this.base}${pathOrUrl}`;
    const scopeKey = opts.repository ? `repository:${opts.repository}:${opts.actions ?? 'pull'}` : 'registry:catalog:*';
    const doFetch = async (authorization?: string) => {
      const headers: Record<string, string> = { ...opts.headers };
      if (authorization) headers.Authorization = authorization;
      const init: RequestInit = { method: opts.method ?? 'GET', headers, redirect: 'follow' };
      if (opts.body !== undefined) init.body = opts.body;
      try {
        return await fetch(url, init);
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        throw new StatusError(
          `cannot reach registry ${this.registry}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
          undefined,
          cause?.code,
        );
      }
    };
    let res = await doFetch(this.tokens.get(scopeKey) ?? (this.basic ? `Basic ${this.basic}` : undefined));
    if (res.status === 401) {
      const challenge = res.headers.get('www-authenticate') ?? '';
      await res.arrayBuffer();
      const authorization = await this.authorize(challenge, scopeKey);
      if (authorization) {
        this.tokens.set(scopeKey, authorization);
        res = await doFetch(authorization);
      }
    }
    if (res.ok || opts.ok?.includes(res.status)) return res;
    const text = opts.method === 'HEAD' ? '' : await res.text().catch(() => '');
    const what = `${opts.method ?? 'GET'} ${url.replace(/\?.*$/, '')}`;
    if (res.status === 401 || res.status === 403) {
      throw new StatusError(
        `registry ${this.registry} refused ${what}: ${res.status} ${res.statusText} (check the username and password/token)`,
        res.status,
        text,
      );
    }
    throw new StatusError(
      `registry ${this.registry}: ${what} answered ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 300)}` : ''}`,
      res.status,
      text,
    );
  }

  /** Answer a WWW-Authenticate challenge: Basic credentials, or a Bearer token from the realm. */
  private async authorize(challenge: string, scopeKey: string): Promise<string | undefined> {
    const scheme = challenge.split(' ')[0]?.toLowerCase();
    if (scheme === 'basic') return this.basic ? `Basic ${this.basic}` : undefined;
    if (scheme !== 'bearer') return undefined;
    const params = parseChallenge(challenge.slice(challenge.indexOf(' ') + 1));
    if (!params.realm) return undefined;
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set('service', params.service);
    tokenUrl.searchParams.set('scope', params.scope ?? scopeKey);
    const headers: Record<string, string> = {};
    if (this.basic) headers.Authorization = `Basic ${this.basic}`;
    const res = await fetch(tokenUrl, { headers });
    if (!res.ok) {
      throw new StatusError(
        `registry ${this.registry}: token request answered ${res.status} ${res.statusText}`,
        res.status,
      );
    }
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    return token ? `Bearer ${token}` : undefined;
  }
}

function parseChallenge(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/(\w+)="([^"]*)"/g)) out[m[1]!.toLowerCase()] = m[2]!;
  return out;
}

function nextLink(link: string | null): string | undefined {
  const m = link?.match(/<([^>]+)>;\s*rel="next"/);
  return m?.[1];
}

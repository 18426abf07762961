// The client of Kaapana's kube-helm API, one method per endpoint, with the semantics read from its
// source (paths relative to ../shared/reference/kaapana/):
//  v0.6.0 services/kaapana-admin/kube-helm/docker/files/backend/app/
//   - routes.py `POST /file` → file_handler.add_file: multipart field `file`, content type one of
//     application/gzip, application/x-compressed(-tar), else 500; routes.py passes `platforms` as
//     the third positional argument, which is add_file's `overwrite`, so an existing file name is
//     never overwritten: 500 "File upload failed File <path> already exists, returning without
//     overwriting." — uploadChart() then falls back to the chunked protocol, which overwrites.
//   - `POST /file_chunks_init` (JSON name, fileSize, chunkSize, index, endIndex; endIndex must be
//     ceil(fileSize/chunkSize)) → init_file_chunks truncates <extensions>/<name> (overwrite=True);
//     `POST /file_chunks` (multipart field `file`) → add_file_chunks appends to the one global
//     session and answers the next expected index as text. There is one session per kube-helm, so
//     uploads are sequential. The file is written in place: an interrupted upload leaves a partial
//     file that only a new init truncates, hence whole-upload retries from init.
//   - `GET /import-container?filename=` → run_containerd_import (`ctr image import` of
//     <extensions>/<filename>): 200 "Successfully imported container <f>", 500 "Container import failed …".
//   - `POST /helm-install-chart` (JSON name, version, keywords, extension_params, blocking,
//     release_name; header `Project` = JSON {id, name, …} for kaapanamultiinstallable charts): 200
//     "Successfully installed: <release>" or "Chart is already installed <release>", 500 "Chart
//     install command failed for <release>", 400 bad request.
//   - `POST /helm-delete-chart` (JSON release_name, release_version, helm_command_addons): 200
//     "Started uninstalling <release>", 400 "Chart uninstall command failed…".
//   - `GET /view-chart-status?release_name=` → `helm status` parsed as YAML (STATUS, …) or 404.
//   - `GET /extensions` → the (cached) extension list.
//  v0.1.x services/kaapana-core/kube-helm/docker/files/backend/app/routes.py: no upload or import;
//   `POST /helm-install-chart` answers 200 "Trying to install chart with <helm command>" as soon as
//   helm was started in the background (success proves nothing), `GET /helm-delete-chart?release_name=`.
// Payloads and the Project header as Kaapana's CI sends them (v0.6.0/ci/ci-code/test/src/base_utils/
// utils_extensions.py, KaapanaAuth.py).
import { randomBytes } from 'node:crypto';
import { KxError } from '../errors/index.js';
import { multipartFile, PlatformError, type PlatformHttp, type PlatformReply, type PlatformRequest } from './http.js';
import type { TokenSource } from './oidc.js';

export type Generation = '0.1.x' | '0.6.0';

/** Kaapana's generation from a platform version: below 0.2.0 the 0.1.x API, else the 0.6.0 one. */
export function generationOf(platformVersion: string): Generation {
  const m = /^v?(\d+)\.(\d+)/.exec(platformVersion.trim());
  if (!m) throw new KxError(`platform-version "${platformVersion}" is not a Kaapana version such as 0.1.3 or 0.6.0`);
  return Number(m[1]) === 0 && Number(m[2]) < 2 ? '0.1.x' : '0.6.0';
}

/** Namespace of kube-helm-service: kube-system at 0.1.x, Kaapana's admin namespace from 0.2 on. */
export function kubeHelmNamespace(g: Generation): string {
  return g === '0.1.x' ? 'kube-system' : 'admin';
}

export const GZIP_TYPES = ['application/gzip', 'application/x-compressed', 'application/x-compressed-tar'];

export interface ChunkProgress {
  index: number;
  endIndex: number;
  bytes: number;
}

export interface InstallRequest {
  name: string;
  version: string;
  keywords: string[];
  extensionParams?: Record<string, unknown>;
  blocking?: boolean;
  releaseName?: string;
  /** JSON of the project (id, name, …) for the Project header. */
  project?: Record<string, unknown>;
}

export interface InstallAnswer {
  release: string;
  alreadyInstalled: boolean;
  reply: string;
}

export interface ChartStatus {
  status: string;
  raw: Record<string, unknown>;
}

export class KubeHelmClient {
  constructor(
    readonly http: PlatformHttp,
    readonly generation: Generation,
    private readonly tokens?: TokenSource,
  ) {}

  /** One request; after a 401 with a token source the token is renewed and the request sent once more. */
  async call(req: PlatformRequest, step: string): Promise<PlatformReply> {
    let reply = await this.http.send(req, step);
    if (reply.status === 401 && this.tokens) {
      await this.tokens.invalidate();
      reply = await this.http.send(req, step);
    }
    return reply;
  }

  async ok(req: PlatformRequest, step: string): Promise<PlatformReply> {
    const reply = await this.call(req, step);
    if (reply.status < 200 || reply.status > 299) throw this.http.answerError(step, req, reply);
    return reply;
  }

  private requireUpload(what: string): void {
    if (this.generation === '0.1.x')
      throw new KxError(
        `${what}: Kaapana 0.1.x's kube-helm has no upload or import endpoints; use method copy for charts (images must be pullable from the registry there)`,
      );
  }

  /** `POST /file`: resolves false when the file already exists (0.6.0 never overwrites there). */
  async uploadFile(
    fileName: string,
    data: Buffer,
    contentType = 'application/gzip',
  ): Promise<{ written: boolean; reply: string }> {
    this.requireUpload(`upload ${fileName}`);
    const form = await multipartFile('file', fileName, contentType, data);
    const req: PlatformRequest = {
      method: 'POST',
      path: '/file',
      headers: { 'content-type': form.contentType },
      body: form.body,
      timeoutMs: 10 * 60_000,
    };
    const reply = await this.call(req, `upload ${fileName}`);
    if (reply.status === 200) return { written: true, reply: reply.body };
    if (reply.status === 500 && /already exists/.test(reply.body)) return { written: false, reply: reply.body };
    throw this.http.answerError(`upload ${fileName}`, req, reply);
  }

  /** The chunked protocol, once from init to the last chunk; errors name the chunk index. */
  async uploadChunks(
    fileName: string,
    data: Buffer,
    chunkSize: number,
    onChunk?: (p: ChunkProgress) => void,
  ): Promise<void> {
    this.requireUpload(`upload ${fileName}`);
    if (chunkSize < 1) throw new KxError('chunk size must be at least 1 byte');
    const endIndex = Math.ceil(data.length / chunkSize);
    const step = `upload ${fileName} (chunked)`;
    await this.ok(
      {
        method: 'POST',
        path: '/file_chunks_init',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ name: fileName, fileSize: data.length, chunkSize, index: 0, endIndex })),
      },
      `${step}: init`,
    );
    for (let index = 0; index < endIndex; index++) {
      const chunk = data.subarray(index * chunkSize, Math.min(data.length, (index + 1) * chunkSize));
      const form = await multipartFile('file', fileName, 'application/octet-stream', chunk);
      const where = `${step}: chunk ${index + 1} of ${endIndex} (index ${index}, bytes ${index * chunkSize}-${index * chunkSize + chunk.length - 1})`;
      let reply: PlatformReply;
      try {
        reply = await this.ok(
          {
            method: 'POST',
            path: '/file_chunks',
            headers: { 'content-type': form.contentType },
            body: form.body,
            timeoutMs: 10 * 60_000,
          },
          where,
        );
      } catch (e) {
        throw e instanceof PlatformError ? new ChunkError(e.message, index, endIndex, e.status) : e;
      }
      const next = Number(reply.body.trim());
      if (next !== index + 1) {
        throw new ChunkError(
          `${where}: kube-helm expected index ${reply.body.trim() || '(empty)'} next, not ${index + 1}: another upload is running at the same time (kube-helm has one chunk session)`,
          index,
          endIndex,
        );
      }
      onChunk?.({ index, endIndex, bytes: index + 1 === endIndex ? data.length : (index + 1) * chunkSize });
    }
  }

  /** `GET /import-container?filename=`: imports an uploaded `docker save` tar into containerd. */
  async importContainer(fileName: string): Promise<string> {
    this.requireUpload(`import ${fileName}`);
    const reply = await this.ok(
      { method: 'GET', path: '/import-container', query: { filename: fileName }, timeoutMs: 10 * 60_000 },
      `import ${fileName}`,
    );
    return reply.body;
  }

  installPayload(r: InstallRequest): Record<string, unknown> {
    if (this.generation === '0.1.x') {
      // 0.1.x reads `sets` (global.<key>) instead of extension_params, and no blocking flag.
      const sets = Object.fromEntries(
        Object.entries(r.extensionParams ?? {}).map(([k, v]) => [`global.${k}`, String(v)]),
      );
      return {
        name: r.name,
        version: r.version,
        keywords: r.keywords,
        ...(Object.keys(sets).length ? { sets } : {}),
        ...(r.releaseName ? { release_name: r.releaseName } : {}),
      };
    }
    return {
      name: r.name,
      version: r.version,
      keywords: r.keywords,
      ...(r.extensionParams && Object.keys(r.extensionParams).length ? { extension_params: r.extensionParams } : {}),
      ...(r.blocking !== undefined ? { blocking: r.blocking ? 'true' : 'false' } : {}),
      ...(r.releaseName ? { release_name: r.releaseName } : {}),
    };
  }

  installHeaders(r: InstallRequest): Record<string, string> {
    return {
      'content-type': 'application/json',
      ...(r.project && r.keywords.includes('kaapanamultiinstallable') ? { project: JSON.stringify(r.project) } : {}),
    };
  }

  async install(r: InstallRequest): Promise<InstallAnswer> {
    const multi = r.keywords.includes('kaapanamultiinstallable');
    // 0.1.x answers before helm ran and does not say the release name: choose it as kube-helm would.
    const req0: InstallRequest =
      this.generation === '0.1.x' && multi && !r.releaseName
        ? { ...r, releaseName: `${r.name}-${randomBytes(10).toString('hex')}` }
        : r;
    const req: PlatformRequest = {
      method: 'POST',
      path: '/helm-install-chart',
      headers: this.installHeaders(req0),
      body: Buffer.from(JSON.stringify(this.installPayload(req0))),
      timeoutMs: 15 * 60_000,
    };
    const step = `install ${r.name} ${r.version}`;
    const reply = await this.ok(req, step);
    const body = reply.body.trim();
    if (this.generation === '0.1.x')
      return { release: req0.releaseName ?? r.name, alreadyInstalled: /Nothing more to say/.test(body), reply: body };
    const m = /^(Successfully installed:|Chart is already installed)\s*(\S+)/.exec(body);
    if (!m)
      throw new PlatformError(
        `${step}: kube-helm answered 200 with an unexpected body: ${this.http.redactor.redact(body.slice(0, 500))}`,
        step,
        200,
        body,
      );
    return { release: m[2]!, alreadyInstalled: m[1]!.startsWith('Chart is already'), reply: body };
  }

  async uninstall(release: string, version?: string): Promise<string> {
    const step = `uninstall ${release}`;
    if (this.generation === '0.1.x') {
      return (
        await this.ok(
          {
            method: 'GET',
            path: '/helm-delete-chart',
            query: { release_name: release, ...(version ? { release_version: version } : {}) },
          },
          step,
        )
      ).body;
    }
    const body = { release_name: release, ...(version ? { release_version: version } : {}), helm_command_addons: '' };
    return (
      await this.ok(
        {
          method: 'POST',
          path: '/helm-delete-chart',
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(JSON.stringify(body)),
        },
        step,
      )
    ).body;
  }

  /** `helm status` of a release through kube-helm, or undefined when it answers 404 "Release not found". */
  async chartStatus(release: string): Promise<ChartStatus | undefined> {
    const req: PlatformRequest = { method: 'GET', path: '/view-chart-status', query: { release_name: release } };
    const reply = await this.call(req, `status of ${release}`);
    if (reply.status === 404) return undefined;
    if (reply.status !== 200) throw this.http.answerError(`status of ${release}`, req, reply);
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(reply.body) as Record<string, unknown>;
    } catch {
      throw new PlatformError(
        `status of ${release}: kube-helm answered something that is not JSON: ${reply.body.slice(0, 300)}`,
        `status of ${release}`,
        200,
        reply.body,
      );
    }
    return { status: String(raw.STATUS ?? raw.status ?? '').toLowerCase(), raw };
  }

  async extensions(): Promise<ExtensionEntry[]> {
    const reply = await this.ok({ method: 'GET', path: '/extensions', timeoutMs: 120_000 }, 'list extensions');
    let list: unknown;
    try {
      list = JSON.parse(reply.body);
    } catch {
      throw new PlatformError(
        `list extensions: kube-helm answered something that is not JSON: ${reply.body.slice(0, 300)}`,
        'list extensions',
        reply.status,
        reply.body,
      );
    }
    if (!Array.isArray(list))
      throw new PlatformError(
        'list extensions: kube-helm did not answer a list',
        'list extensions',
        reply.status,
        reply.body,
      );
    return list as ExtensionEntry[];
  }
}

export class ChunkError extends PlatformError {
  constructor(
    message: string,
    readonly index: number,
    readonly endIndex: number,
    status?: number,
  ) {
    super(message, 'chunk', status);
    this.name = 'ChunkError';
  }
}

/** The fields of a `/extensions` entry this toolkit reads (v0.6.0 schemas.py KaapanaExtension; 0.1.x utils.get_extensions_list). */
export interface ExtensionEntry {
  name?: string;
  chart_name?: string;
  version?: string;
  versions?: string[];
  releaseName?: string;
  installed?: string;
  helmStatus?: string | null;
  available_versions?: Record<
    string,
    { deployments?: Array<{ helm_status?: string; helm_info?: { name?: string; status?: string } }> }
  > | null;
}

export interface ExtensionState {
  /** The chart version is in the list (the platform found `<name>-<version>.tgz`). */
  listed: boolean;
  /** The release is shown installed with that version. */
  installed: boolean;
}

/** What `/extensions` says about a chart version and a release (both generations' shapes). */
export function extensionState(
  list: ExtensionEntry[],
  chart: string,
  version: string,
  release?: string,
): ExtensionState {
  const entries = list.filter((e) => (e.chart_name ?? e.name) === chart);
  const listed = entries.some(
    (e) => e.version === version || (e.versions ?? []).includes(version) || Boolean(e.available_versions?.[version]),
  );
  const installed =
    release !== undefined &&
    entries.some(
      (e) =>
        (e.releaseName === release && e.installed === 'yes' && e.version === version) ||
        (e.available_versions?.[version]?.deployments ?? []).some(
          (d) =>
            (d.helm_info?.name ?? e.releaseName) === release &&
            (d.helm_status ?? d.helm_info?.status ?? '').toLowerCase() === 'deployed',
        ),
    );
  return { listed, installed };
}

// The HTTP transport to a Kaapana platform: one request function over node:http/node:https that
// either goes to the platform URL (TLS verification always on, an extra CA for self-signed
// platforms) or to a local `kubectl proxy` unix socket (the API server's service proxy, credentials
// handled by kubectl). Bodies are Buffers (kube-helm reads whole uploads and chunks into memory
// anyway); multipart bodies are serialised by the platform's own FormData/Response (no hand-made
// boundaries). Every failure becomes a PlatformError naming the step, the request and the answer
// (status + body) with every known secret replaced by ***.
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { KxError } from '../errors/index.js';

export interface HttpTarget {
  /** Base URL every path is appended to, e.g. `https://kaapana.example/kube-helm-api` or
   *  `http://localhost/api/v1/namespaces/admin/services/kube-helm-service:5000/proxy`. */
  baseUrl: string;
  /** Connect to this unix socket instead of the URL's host (kubectl proxy --unix-socket). */
  socketPath?: string;
  /** PEM bundle trusted in addition to the system CAs. */
  ca?: string;
  /** Header values added to every request (e.g. Authorization), asked for at each request. */
  headers?: () => Promise<Record<string, string>> | Record<string, string>;
}

export interface PlatformRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path below the base URL, with a leading slash. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Per-request timeout in ms (default 120 000). */
  timeoutMs?: number;
}

export interface PlatformReply {
  status: number;
  body: string;
  headers: IncomingMessage['headers'];
}

/** Secrets known so far (tokens, passwords), replaced by *** in every message this module makes. */
export class SecretRedactor {
  private readonly secrets = new Set<string>();
  add(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out;
  }
}

export class PlatformError extends KxError {
  constructor(
    message: string,
    readonly step: string,
    readonly status?: number,
    readonly body?: string,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

/** `multipart/form-data` with one file field, serialised by the standard Response class. */
/**
 * A multipart/form-data body with one file part, as FormData would serialise it (field and file
 * names escaped the WHATWG way: `"` → %22, CR → %0D, LF → %0A; random 128-bit boundary). Built by
 * concatenation rather than `new Response(formData)`: measured in bench/install-upload.bench.mjs,
 * undici's FormData serialisation took 3.6 s for 13 chunks of 16 MiB — a third of a 200 MB upload.
 */
export async function multipartFile(
  field: string,
  filename: string,
  contentType: string,
  data: Uint8Array,
): Promise<{ body: Buffer; contentType: string }> {
  const esc = (v: string) => v.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
  const boundary = `----kaapana-ext-${randomBytes(16).toString('hex')}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="${esc(field)}"; filename="${esc(filename)}"\r\nContent-Type: ${contentType}\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(head, 'utf8'), data, Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8')]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

export class PlatformHttp {
  private readonly agent: HttpsAgent | undefined;

  constructor(
    readonly target: HttpTarget,
    readonly redactor: SecretRedactor = new SecretRedactor(),
  ) {
    const url = new URL(target.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new KxError(`platform URL ${target.baseUrl} is not http(s)`);
    this.agent =
      url.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, ...(target.ca ? { ca: target.ca } : {}) })
        : undefined;
  }

  /** The full URL of a request, for logs and dry runs (never contains a secret: they travel in headers). */
  url(path: string, query?: Record<string, string>): string {
    const base = this.target.baseUrl.replace(/\/+$/, '');
    const qs = query && Object.keys(query).length ? `?${new URLSearchParams(query).toString()}` : '';
    return `${base}${path}${qs}`;
  }

  /** Sends one request; resolves with any HTTP answer, rejects only when no answer came. */
  async send(req: PlatformRequest, step: string): Promise<PlatformReply> {
    const url = new URL(this.url(req.path, req.query));
    const headers: Record<string, string> = { ...(await this.target.headers?.()), ...req.headers };
    if (req.body) headers['content-length'] = String(req.body.length);
    const timeoutMs = req.timeoutMs ?? 120_000;
    return await new Promise<PlatformReply>((resolve, reject) => {
      const opts = {
        method: req.method,
        headers,
        ...(this.target.socketPath ? { socketPath: this.target.socketPath } : {}),
        ...(this.agent ? { agent: this.agent } : {}),
      };
      const fail = (e: Error) => {
        const why = (e as NodeJS.ErrnoException).code
          ? `${(e as NodeJS.ErrnoException).code}: ${e.message}`
          : e.message;
        reject(
          new PlatformError(
            this.redactor.redact(`${step}: ${req.method} ${this.url(req.path, req.query)} got no answer (${why})`),
            step,
          ),
        );
      };
      const r = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
        );
        res.on('error', fail);
      });
      r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)));
      r.on('error', fail);
      r.end(req.body);
    });
  }

  /** Like send, but a non-2xx answer is a PlatformError with status and (redacted) body. */
  async expectOk(req: PlatformRequest, step: string): Promise<PlatformReply> {
    const reply = await this.send(req, step);
    if (reply.status < 200 || reply.status > 299) throw this.answerError(step, req, reply);
    return reply;
  }

  answerError(step: string, req: PlatformRequest, reply: PlatformReply, extra = ''): PlatformError {
    const body = this.redactor.redact(reply.body.trim().slice(0, 1000));
    const hint =
      reply.status === 401
        ? ' (not authenticated: check the token / kubeconfig credentials)'
        : reply.status === 403
          ? ' (forbidden)'
          : '';
    return new PlatformError(
      `${step}: ${req.method} ${this.url(req.path, req.query)} answered ${reply.status}${hint}: ${body || '(empty body)'}${extra}`,
      step,
      reply.status,
      body,
    );
  }

  close(): void {
    this.agent?.destroy();
  }
}

// Retrying of operations against registries and API servers: exponential backoff with jitter for
// transient failures (5xx, 429, connection resets, timeouts), immediate failure for everything else
// (auth errors above all). Callers classify their own errors with `classify`; `classifyMessage`
// covers the text that docker, kubectl and HTTP clients print.

export type FailureKind = 'transient' | 'auth' | 'permanent';

export interface RetryOptions {
  /** Total attempts, including the first. Default 5. */
  attempts?: number;
  /** First delay in ms; doubled each time. Default 500. */
  baseDelayMs?: number;
  /** Upper bound of one delay. Default 15 000. */
  maxDelayMs?: number;
  /** Decides whether an error is worth another attempt. Default: `classifyError`. */
  classify?: (e: unknown) => FailureKind;
  /** Called before sleeping for another attempt. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Injected for tests of the policy itself; defaults to a real timer. */
  sleep?: (ms: number) => Promise<void>;
}

const TRANSIENT_PATTERNS: RegExp[] = [
  /\b5\d\d\b.*(error|status|service|gateway|unavailable)/i,
  /\b(500|502|503|504)\b/,
  /\b429\b|too many requests|toomanyrequests/i,
  /ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|socket hang up/i,
  /connection reset|broken pipe|i\/o timeout|timeout exceeded|timed out|TLS handshake timeout/i,
  /unexpected EOF|server misbehaving|service unavailable|bad gateway|gateway timeout/i,
  /received unexpected HTTP status: 5\d\d/i,
];

const AUTH_PATTERNS: RegExp[] = [
  /\b401\b|unauthorized|authentication required|no basic auth credentials/i,
  /\b403\b|forbidden|denied|insufficient_scope/i,
];

/** Classify the text of a failure (docker/kubectl stderr, an HTTP error message). */
export function classifyMessage(text: string): FailureKind {
  if (AUTH_PATTERNS.some((p) => p.test(text))) return 'auth';
  if (TRANSIENT_PATTERNS.some((p) => p.test(text))) return 'transient';
  return 'permanent';
}

/** An error carrying an HTTP status (or a docker/kubectl exit with stderr). */
export class StatusError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly stderr?: string,
  ) {
    super(message);
    this.name = 'StatusError';
  }
}

export function classifyStatus(status: number): FailureKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429 || status === 408 || status >= 500) return 'transient';
  return 'permanent';
}

export function classifyError(e: unknown): FailureKind {
  if (e instanceof StatusError && e.status !== undefined) return classifyStatus(e.status);
  const code = (e as { code?: unknown })?.code;
  if (
    typeof code === 'string' &&
    /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT)$/.test(code)
  ) {
    return 'transient';
  }
  const cause = (e as { cause?: unknown })?.cause;
  if (cause && cause !== e && classifyError(cause) === 'transient') return 'transient';
  const text =
    e instanceof StatusError ? `${e.message}\n${e.stderr ?? ''}` : e instanceof Error ? e.message : String(e);
  return classifyMessage(text);
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Run `op` until it succeeds, a non-transient error occurs, or attempts run out. */
export async function withRetry<T>(op: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, opts.attempts ?? 5);
  const base = opts.baseDelayMs ?? 500;
  const max = opts.maxDelayMs ?? 15_000;
  const classify = opts.classify ?? classifyError;
  const sleep = opts.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (error) {
      if (attempt >= attempts || classify(error) !== 'transient') throw error;
      const exp = Math.min(max, base * 2 ** (attempt - 1));
      const delayMs = Math.round(exp / 2 + Math.random() * (exp / 2));
      opts.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}

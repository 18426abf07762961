// User-facing errors of kaapana-ext. A KxError says what is wrong, where (file and line when there
// is one) and, ideally, what to do. Adapters turn it into an annotation plus a failed step; anything
// else that escapes is a bug and is reported with its stack. Credentials written into URLs
// (`oci://user:password@host`) never survive into a message: both KxError and errorMessage redact them.
import { redactUrls } from '../secrets/index.js';

export interface KxErrorLocation {
  /** Path of the file the error is about, as the user would recognise it. */
  file?: string;
  /** 1-based line number inside `file`. */
  line?: number;
  /** 1-based column inside `line`. */
  column?: number;
}

export class KxError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;

  constructor(message: string, where: KxErrorLocation = {}, options?: { cause?: unknown }) {
    super(redactUrls(message), options);
    this.name = 'KxError';
    if (where.file !== undefined) this.file = where.file;
    if (where.line !== undefined) this.line = where.line;
    if (where.column !== undefined) this.column = where.column;
  }

  /** `file:line: message`, the form used in logs and the CLI. */
  override toString(): string {
    const at = this.file ? `${this.file}${this.line ? `:${this.line}` : ''}: ` : '';
    return `${at}${this.message}`;
  }
}

/** Several independent user errors found in one pass (e.g. every bad Dockerfile of a tree). */
export class KxAggregateError extends KxError {
  readonly errors: KxError[];
  constructor(errors: KxError[], summary?: string) {
    super(summary ?? `${errors.length} error(s):\n${errors.map((e) => `  - ${e.toString()}`).join('\n')}`);
    this.name = 'KxAggregateError';
    this.errors = errors;
  }
}

export function isKxError(e: unknown): e is KxError {
  return e instanceof KxError;
}

/** Message of anything thrown, without a stack. */
export function errorMessage(e: unknown): string {
  if (e instanceof KxError) return e.toString();
  if (e instanceof Error) return redactUrls(e.message);
  return redactUrls(String(e));
}

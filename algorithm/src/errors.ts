// The user-facing errors of kaapana-otsu. An OtsuError says what is wrong with the input and names the
// file (and line, when there is one); the CLI prints it as `file:line: message` and exits 1, while
// anything else that escapes is a bug (exit 3, with its stack). The package's own small type: the
// algorithm stands alone and does not depend on the toolkit's @kaapana-ext/core.

export class OtsuError extends Error {
  /** Path of the file the error is about, as the user gave it. */
  readonly file?: string;
  /** 1-based line inside `file` (text headers such as NRRD's). */
  readonly line?: number;

  constructor(message: string, where: { file?: string; line?: number } = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OtsuError';
    if (where.file !== undefined) this.file = where.file;
    if (where.line !== undefined) this.line = where.line;
  }

  /** `file:line: message`, the form the CLI prints. */
  override toString(): string {
    const at = this.file ? `${this.file}${this.line ? `:${this.line}` : ''}: ` : '';
    return `${at}${this.message}`;
  }
}

/** Several independent input errors found in one pass (e.g. every unreadable file of a directory). */
export class OtsuAggregateError extends OtsuError {
  readonly errors: OtsuError[];
  constructor(errors: OtsuError[]) {
    super(`${errors.length} error(s):\n${errors.map((e) => `  - ${e.toString()}`).join('\n')}`);
    this.name = 'OtsuAggregateError';
    this.errors = errors;
  }
}

/** Message of anything thrown, without a stack. */
export function errorMessage(e: unknown): string {
  if (e instanceof OtsuError) return e.toString();
  if (e instanceof Error) return e.message;
  return String(e);
}

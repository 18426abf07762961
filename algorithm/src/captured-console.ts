// Keeps the chatter of an itk-wasm pipeline (its runner and dcmqi print with `console.log`/`console.error`
// from inside the Emscripten module) out of the CLI's stdout/stderr, and hands the captured text back
// so it can go into an error message. Only for awaited, sequential pipeline calls: anything else
// logged meanwhile is captured as well and replayed afterwards.
import { format } from 'node:util';

export interface Captured<T> {
  value?: T;
  error?: unknown;
  output: string;
}

/** Sends console.log/info/warn/error into `lines`; returns the function that puts them back. */
function redirectConsole(lines: string[]): () => void {
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const sink = (...args: unknown[]): void => {
    lines.push(format(...args));
  };
  console.log = sink;
  console.info = sink;
  console.warn = sink;
  console.error = sink;
  return () => Object.assign(console, saved);
}

/** Run `fn` with console.log/info/warn/error redirected into a buffer. Never throws. */
export async function withCapturedConsole<T>(fn: () => Promise<T>): Promise<Captured<T>> {
  const lines: string[] = [];
  const restore = redirectConsole(lines);
  try {
    const value = await fn();
    return { value, output: lines.join('\n') };
  } catch (error) {
    return { error, output: lines.join('\n') };
  } finally {
    restore();
  }
}

/** `fn()` (synchronous) with the console captured the same way; rethrows what it throws. */
export function withCapturedConsoleSync<T>(fn: () => T): { value: T; output: string } {
  const lines: string[] = [];
  const restore = redirectConsole(lines);
  try {
    return { value: fn(), output: lines.join('\n') };
  } catch (e) {
    throw new WasmPipelineError(e, lines.join('\n'));
  } finally {
    restore();
  }
}

/**
 * What an itk-wasm pipeline failure says, in words: a C++ exception reaches JavaScript as a bare
 * number (a pointer into the module's memory, meaningless to a user), so it becomes "the C++ code
 * threw"; the pipeline's own stderr lines (GDCM/ITK messages), when there are any, are kept.
 */
export function describeWasmFailure(error: unknown, output: string): string {
  const detail = output
    .split('\n')
    .map((l) => l.replace(/^(stdout|stderr|exception):\s*/, '').trim())
    .filter((l) => l !== '' && !/^Exception while running pipeline|^Build module in Debug mode/.test(l))
    .slice(-6)
    .join('; ');
  const what =
    typeof error === 'number' || typeof error === 'bigint' || /^\d+$/.test(String(error))
      ? 'the C++ reader threw an exception'
      : error instanceof Error
        ? error.message
        : String(error);
  return detail ? `${what} (${detail})` : what;
}

/** A failed itk-wasm pipeline call, with its captured console output and a readable message. */
export class WasmPipelineError extends Error {
  constructor(
    readonly original: unknown,
    readonly output: string,
  ) {
    super(describeWasmFailure(original, output));
    this.name = 'WasmPipelineError';
  }
}

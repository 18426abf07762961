// Keeps the chatter of an itk-wasm pipeline (dcmqi prints progress with `console.log`/`console.error`
// from inside the Emscripten module) out of the CLI's stdout/stderr, and hands the captured text back
// so it can go into an error message. Only for awaited, sequential pipeline calls: anything else
// logged meanwhile is captured as well and replayed afterwards.
import { format } from 'node:util';

export interface Captured<T> {
  value?: T;
  error?: unknown;
  output: string;
}

/** Run `fn` with console.log/info/warn/error redirected into a buffer. Never throws. */
export async function withCapturedConsole<T>(fn: () => Promise<T>): Promise<Captured<T>> {
  const lines: string[] = [];
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const sink = (...args: unknown[]): void => {
    lines.push(format(...args));
  };
  console.log = sink;
  console.info = sink;
  console.warn = sink;
  console.error = sink;
  try {
    const value = await fn();
    return { value, output: lines.join('\n') };
  } catch (error) {
    return { error, output: lines.join('\n') };
  } finally {
    console.log = saved.log;
    console.info = saved.info;
    console.warn = saved.warn;
    console.error = saved.error;
  }
}

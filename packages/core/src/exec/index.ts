// Starting processes: the one `Exec` interface through which the domain package runs every
// external program (docker, git, kubectl, ssh), and `nodeExec`, its implementation on
// node:child_process. An Exec never throws for a non-zero exit (callers classify the status and
// stderr themselves); it throws ExecStartError only when the program could not be started.
// Output is captured whole and, when asked, also handed over line by line; stdin is closed unless
// `input` is given, so no program can prompt. Actions pass the @actions/exec adapter from
// @kaapana-ext/actions-kit instead; tests and the CLI use nodeExec.
// eslint-disable-next-line no-restricted-imports -- the one place that starts processes
import { spawn } from 'node:child_process';

export interface ExecOptions {
  cwd?: string;
  /** Variables added to (and overriding) the current environment. */
  env?: Record<string, string>;
  /** Written to stdin, which is then closed. Without it stdin is closed at once. */
  input?: string | Buffer;
  /** Each line of stdout and stderr as it arrives (live logs, readiness checks). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Kill the process (SIGKILL) after this many ms; the result then has `timedOut`. */
  timeoutMs?: number;
  /** Stop a long-running process: SIGTERM, then SIGKILL after `killGraceMs` (default 5 s). */
  signal?: AbortSignal;
  killGraceMs?: number;
}

export interface ExecResult {
  /** Exit status; null when a signal ended the process. */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** True when `timeoutMs` ran out and the process was killed. */
  timedOut: boolean;
}

/** Runs `command` with `args` (no shell) and resolves when it has exited. */
export type Exec = (command: string, args: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

/** The program could not be started at all (not found, not executable). */
export class ExecStartError extends Error {
  constructor(
    readonly command: string,
    cause: Error,
  ) {
    super(`could not start ${command}: ${cause.message}`, { cause });
    this.name = 'ExecStartError';
  }
}

/** Splits a stream of chunks into lines for `onLine`, keeping the unfinished tail. */
function lineSplitter(emit: (line: string) => void): { push(chunk: string): void; end(): void } {
  let tail = '';
  return {
    push(chunk) {
      const parts = (tail + chunk).split(/\r?\n/);
      tail = parts.pop() ?? '';
      for (const p of parts) emit(p);
    },
    end() {
      if (tail) emit(tail);
      tail = '';
    },
  };
}

/** `Exec` on node:child_process. */
export const nodeExec: Exec = (command, args, opts = {}) =>
  new Promise((resolve, reject) => {
    const env = opts.env ? { ...process.env, ...opts.env } : process.env;
    const child = spawn(command, [...args], { cwd: opts.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const lines = {
      stdout: lineSplitter((l) => opts.onLine?.(l, 'stdout')),
      stderr: lineSplitter((l) => opts.onLine?.(l, 'stderr')),
    };
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), opts.timeoutMs);
    let graceTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      child.kill('SIGTERM');
      graceTimer = setTimeout(() => child.kill('SIGKILL'), opts.killGraceMs ?? 5000);
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.stdout.on('data', (b: Buffer) => (out.push(b), opts.onLine && lines.stdout.push(b.toString())));
    child.stderr.on('data', (b: Buffer) => (err.push(b), opts.onLine && lines.stderr.push(b.toString())));
    // A program that exits before reading all its input: its status and stderr say why.
    child.stdin.on('error', () => {});
    child.on('error', (e) => {
      done();
      reject(new ExecStartError(command, e));
    });
    child.on('close', (code, signal) => {
      done();
      lines.stdout.end();
      lines.stderr.end();
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({ exitCode: code, signal, stdout, stderr, timedOut });
    });
    child.stdin.end(opts.input);
  });

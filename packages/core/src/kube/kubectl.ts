// Running kubectl: global flags (kubeconfig, context, namespace, cache dir, request timeout) in one
// place, stdin closed so kubectl can never prompt, output captured, a hard deadline, failures turned
// into KubectlError and transient ones retried with backoff. In dry-run mode commands are only
// printed. Knows nothing about restart strategies.
import { ExecStartError, nodeExec, type Exec } from '../exec/index.js';
import { withRetry, type RetryOptions } from '../retry/index.js';
import { KubectlError, classifyKubectlStderr, kubectlError } from './kubectl-errors.js';

export interface KubectlOptions {
  /** Path of the kubectl executable. */
  path: string;
  /** `--kubeconfig`; absent → kubectl's own lookup (KUBECONFIG, ~/.kube/config, in-cluster). */
  kubeconfig?: string;
  context?: string;
  /** `-n` for namespaced commands; absent → the context's namespace. */
  namespace?: string;
  /** `--cache-dir` for discovery data. */
  cacheDir?: string;
  /** `--request-timeout` per API request, in seconds. Default 30. */
  requestTimeoutSec?: number;
  /** Print commands instead of running them. */
  dryRun?: boolean;
  /** Where command lines and progress go. */
  log?: (line: string) => void;
  /** Retry policy for transient API errors (attempts default 4). */
  retry?: RetryOptions;
  /** How kubectl is started; default nodeExec. */
  exec?: Exec;
}

export interface RunOptions {
  /** Add `-n <namespace>` (default true). */
  namespaced?: boolean;
  /** Retry transient failures (default true); set false for commands that must not be repeated. */
  retry?: boolean;
  /** Reclassify a failure (e.g. a 500 from a proxied service is not transient). */
  classify?: (stderr: string) => ReturnType<typeof classifyKubectlStderr>;
  /** Hard deadline for the process in ms (default: request timeout + 60 s). */
  deadlineMs?: number;
  /** Do not log the command line (polling loops). */
  quiet?: boolean;
  /** Log what kubectl printed on stdout (for commands that change something). */
  echo?: boolean;
  /** `--request-timeout` for this command, in seconds (default: the Kubectl's). */
  requestTimeoutSec?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

export class Kubectl {
  readonly options: KubectlOptions;
  /** Command lines run (or printed in dry-run), in order; polls marked `quiet` are left out. */
  readonly history: string[] = [];

  constructor(options: KubectlOptions) {
    this.options = options;
  }

  get dryRun(): boolean {
    return this.options.dryRun === true;
  }

  get namespace(): string | undefined {
    return this.options.namespace;
  }

  /** Full argument vector for `args`. */
  argv(args: readonly string[], namespaced = true, requestTimeoutSec?: number): string[] {
    const o = this.options;
    const global: string[] = [];
    if (o.kubeconfig) global.push('--kubeconfig', o.kubeconfig);
    if (o.context) global.push('--context', o.context);
    if (namespaced && o.namespace) global.push('--namespace', o.namespace);
    if (o.cacheDir) global.push('--cache-dir', o.cacheDir);
    global.push(`--request-timeout=${requestTimeoutSec ?? o.requestTimeoutSec ?? 30}s`);
    return [...global, ...args];
  }

  /** The command as a shell would show it. */
  commandLine(args: readonly string[], namespaced = true, requestTimeoutSec?: number): string {
    return ['kubectl', ...this.argv(args, namespaced, requestTimeoutSec)].map(shellQuote).join(' ');
  }

  async run(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const namespaced = opts.namespaced ?? true;
    const line = this.commandLine(args, namespaced, opts.requestTimeoutSec);
    if (!opts.quiet) this.history.push(line);
    const log = this.options.log ?? (() => {});
    if (this.dryRun) {
      log(`[dry-run] ${line}`);
      return { stdout: '', stderr: '' };
    }
    if (!opts.quiet) log(`$ ${line}`);
    const argv = this.argv(args, namespaced, opts.requestTimeoutSec);
    const deadline = opts.deadlineMs ?? ((opts.requestTimeoutSec ?? this.options.requestTimeoutSec ?? 30) + 60) * 1000;
    const classify = opts.classify ?? classifyKubectlStderr;
    const once = async (): Promise<RunResult> => {
      const r = await spawnCapture(this.options.exec ?? nodeExec, this.options.path, argv, deadline);
      if (r.code === 0) {
        if (opts.echo) for (const l of r.stdout.split(/\r?\n/).filter((x) => x.trim())) log(l);
        return { stdout: r.stdout, stderr: r.stderr };
      }
      const stderr = r.killed
        ? `${r.stderr}\nkubectl was killed after ${Math.round(deadline / 1000)}s (timed out waiting)`
        : r.stderr;
      throw kubectlError(line, stderr, r.code, r.killed ? 'timeout' : classify(stderr));
    };
    if (opts.retry === false) return once();
    return withRetry(once, {
      attempts: 4,
      baseDelayMs: 1000,
      maxDelayMs: 10_000,
      ...this.options.retry,
      classify: (e) => (e instanceof KubectlError && e.failure === 'transient' ? 'transient' : 'permanent'),
      onRetry: ({ attempt, delayMs, error }) => {
        const first = error instanceof KubectlError ? error.stderr.trim().split('\n').pop() : String(error);
        log(`transient API error (attempt ${attempt}), retrying in ${delayMs} ms: ${first}`);
      },
    });
  }

  /** Runs and parses stdout as JSON. */
  async json<T>(args: readonly string[], opts: RunOptions = {}): Promise<T> {
    const { stdout } = await this.run(args, opts);
    try {
      return JSON.parse(stdout) as T;
    } catch {
      throw new KubectlError(
        `kubectl printed something that is not JSON for: ${this.commandLine(args)}`,
        'failed',
        this.commandLine(args),
        stdout.slice(0, 500),
        0,
      );
    }
  }
}

interface Captured {
  code: number | null;
  stdout: string;
  stderr: string;
  killed: boolean;
}

async function spawnCapture(exec: Exec, cmd: string, argv: string[], deadlineMs: number): Promise<Captured> {
  try {
    const r = await exec(cmd, argv, { timeoutMs: deadlineMs });
    return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, killed: r.timedOut };
  } catch (e) {
    const why = e instanceof ExecStartError && e.cause instanceof Error ? e.cause.message : String(e);
    throw new KubectlError(`could not start kubectl at ${cmd}: ${why}`, 'failed', cmd, '', null);
  }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

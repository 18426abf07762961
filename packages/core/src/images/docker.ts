// The Docker CLI, driven through @actions/exec: build (buildx when present and wanted, the classic
// builder otherwise), tag, push (digest parsed from the CLI's output), pull, inspect, login with the
// password on stdin, logout. Each call returns the captured output or throws a StatusError with the
// CLI's stderr, so callers can classify failures for retries.
import * as exec from '@actions/exec';
import { StatusError } from '../retry/index.js';

export type Builder = 'auto' | 'buildx' | 'classic';

export interface DockerRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface DockerOptions {
  /** `docker` executable; default `docker` from PATH. */
  command?: string;
  /** Called with each line of output, for live logs. Default: silent. */
  onOutput?: (line: string) => void;
  env?: Record<string, string>;
}

export class DockerCli {
  private readonly command: string;
  private readonly onOutput: ((line: string) => void) | undefined;
  private readonly env: Record<string, string> | undefined;
  private buildxAvailable: boolean | undefined;

  constructor(opts: DockerOptions = {}) {
    this.command = opts.command ?? 'docker';
    this.onOutput = opts.onOutput;
    this.env = opts.env;
  }

  async run(args: string[], opts: { input?: string; onOutput?: (line: string) => void; allowFailure?: boolean } = {}): Promise<DockerRunResult> {
    const sink = opts.onOutput ?? this.onOutput;
    let stdout = '';
    let stderr = '';
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    Object.assign(env, this.env);
    const execOpts: exec.ExecOptions = {
      silent: true,
      ignoreReturnCode: true,
      env,
      listeners: {
        stdout: (d: Buffer) => {
          stdout += d.toString();
        },
        stderr: (d: Buffer) => {
          stderr += d.toString();
        },
        stdline: (l: string) => sink?.(l),
        errline: (l: string) => sink?.(l),
      },
    };
    if (opts.input !== undefined) execOpts.input = Buffer.from(opts.input);
    let exitCode: number;
    try {
      exitCode = await exec.exec(this.command, args, execOpts);
    } catch (e) {
      throw new StatusError(`cannot run ${this.command}: ${(e as Error).message}`);
    }
    if (exitCode !== 0 && !opts.allowFailure) {
      const last = (stderr.trim() || stdout.trim()).split('\n').slice(-15).join('\n');
      throw new StatusError(`docker ${args[0]} failed (exit ${exitCode}): ${last}`, undefined, stderr || stdout);
    }
    return { exitCode, stdout, stderr };
  }

  async version(): Promise<{ client: string; server: string }> {
    const r = await this.run(['version', '--format', '{{.Client.Version}} {{.Server.Version}}']);
    const [client = '', server = ''] = r.stdout.trim().split(' ');
    return { client, server };
  }

  async hasBuildx(): Promise<boolean> {
    if (this.buildxAvailable === undefined) {
      const r = await this.run(['buildx', 'version'], { allowFailure: true }).catch(() => ({ exitCode: 1 }));
      this.buildxAvailable = r.exitCode === 0;
    }
    return this.buildxAvailable;
  }

  /** Which builder a `builder` setting resolves to on this machine. */
  async resolveBuilder(builder: Builder): Promise<'buildx' | 'classic'> {
    if (builder === 'classic') return 'classic';
    const has = await this.hasBuildx();
    if (builder === 'buildx' && !has) throw new StatusError('builder "buildx" requested but `docker buildx` is not installed');
    if (builder === 'auto' && process.env.DOCKER_BUILDKIT === '0') return 'classic';
    return has ? 'buildx' : 'classic';
  }

  async build(opts: {
    dockerfile: string;
    context: string;
    tags: string[];
    builder: 'buildx' | 'classic';
    buildArgs?: Record<string, string>;
    labels?: Record<string, string>;
    onOutput?: (line: string) => void;
  }): Promise<DockerRunResult & { imageId: string }> {
    const args = opts.builder === 'buildx' ? ['buildx', 'build', '--load', '--progress', 'plain'] : ['build'];
    args.push('--file', opts.dockerfile);
    for (const t of opts.tags) args.push('--tag', t);
    for (const [k, v] of Object.entries(opts.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
    for (const [k, v] of Object.entries(opts.labels ?? {})) args.push('--label', `${k}=${v}`);
    args.push(opts.context);
    const env = opts.builder === 'classic' ? { DOCKER_BUILDKIT: '0' } : { DOCKER_BUILDKIT: '1' };
    const saved = { ...this.env };
    const cli = new DockerCli({ command: this.command, env: { ...saved, ...env } });
    const runOpts: { onOutput?: (line: string) => void } = {};
    const sink = opts.onOutput ?? this.onOutput;
    if (sink) runOpts.onOutput = sink;
    const r = await cli.run(args, runOpts);
    const imageId = await this.imageId(opts.tags[0]!);
    return { ...r, imageId };
  }

  async imageId(ref: string): Promise<string> {
    const r = await this.run(['image', 'inspect', '--format', '{{.Id}}', ref]);
    return r.stdout.trim();
  }

  async imageExists(ref: string): Promise<boolean> {
    const r = await this.run(['image', 'inspect', '--format', '{{.Id}}', ref], { allowFailure: true });
    return r.exitCode === 0;
  }

  async tag(source: string, target: string): Promise<void> {
    await this.run(['tag', source, target]);
  }

  async pull(ref: string): Promise<void> {
    await this.run(['pull', ref]);
  }

  /** Push and return the manifest digest the registry reported. */
  async push(ref: string, onOutput?: (line: string) => void): Promise<string> {
    const runOpts: { onOutput?: (line: string) => void } = {};
    if (onOutput) runOpts.onOutput = onOutput;
    const r = await this.run(['push', ref], runOpts);
    const m = /digest:\s*(sha256:[a-f0-9]{64})/.exec(r.stdout + r.stderr);
    if (!m) throw new StatusError(`docker push ${ref} printed no digest`, undefined, r.stdout);
    return m[1]!;
  }

  /** `docker login` with the password on stdin (never on the command line). */
  async login(registry: string, username: string, password: string): Promise<void> {
    await this.run(['login', '--username', username, '--password-stdin', registry], { input: password });
  }

  async logout(registry: string): Promise<void> {
    await this.run(['logout', registry], { allowFailure: true });
  }
}

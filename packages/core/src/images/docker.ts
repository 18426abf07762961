// The Docker CLI, driven through an Exec (../exec; actions pass the @actions/exec adapter): build (buildx when present and wanted, the classic
// builder otherwise), tag, push (digest parsed from the CLI's output), pull, inspect, save/load,
// login with the password on stdin, logout. Each call returns the captured output or throws a
// StatusError with the CLI's stderr, so callers can classify failures for retries. Which build
// options each builder accepts is decided in build-features.ts; this module only spells them.
import { nodeExec, type Exec, type ExecResult } from '../exec/index.js';
import { StatusError } from '../retry/index.js';

export type Builder = 'auto' | 'buildx' | 'classic';

export interface BuildxInfo {
  available: boolean;
  /** `x.y.z` from `docker buildx version`, when it printed one. */
  version?: string;
}

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
  /** How processes are started; default nodeExec. */
  exec?: Exec;
}

export class DockerCli {
  private readonly command: string;
  private readonly exec: Exec;
  private readonly onOutput: ((line: string) => void) | undefined;
  private readonly env: Record<string, string> | undefined;
  private buildx: Promise<BuildxInfo> | undefined;

  constructor(opts: DockerOptions = {}) {
    this.command = opts.command ?? 'docker';
    this.onOutput = opts.onOutput;
    this.env = opts.env;
    this.exec = opts.exec ?? nodeExec;
  }

  async run(
    args: string[],
    opts: { input?: string; onOutput?: (line: string) => void; allowFailure?: boolean } = {},
  ): Promise<DockerRunResult> {
    const sink = opts.onOutput ?? this.onOutput;
    let r: ExecResult;
    try {
      r = await this.exec(this.command, args, {
        ...(this.env ? { env: this.env } : {}),
        ...(opts.input !== undefined ? { input: opts.input } : {}),
        ...(sink ? { onLine: (l: string) => sink(l) } : {}),
      });
    } catch (e) {
      throw new StatusError(`cannot run ${this.command}: ${(e as Error).message}`);
    }
    const { stdout, stderr } = r;
    const exitCode = r.exitCode ?? 1;
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

  /**
   * Is the buildx CLI plugin installed, and which version? `docker buildx version` exits non-zero
   * ("unknown command") without the plugin; a plugin that runs but prints no version is treated
   * as present with an unknown version.
   */
  buildxInfo(): Promise<BuildxInfo> {
    this.buildx ??= this.run(['buildx', 'version'], { allowFailure: true })
      .then((r) => {
        if (r.exitCode !== 0) return { available: false };
        const v = /\bv?(\d+\.\d+\.\d+)/.exec(r.stdout);
        return v ? { available: true, version: v[1]! } : { available: true };
      })
      .catch(() => ({ available: false }));
    return this.buildx;
  }

  async hasBuildx(): Promise<boolean> {
    return (await this.buildxInfo()).available;
  }

  /** Which builder a `builder` setting resolves to on this machine. */
  async resolveBuilder(builder: Builder): Promise<'buildx' | 'classic'> {
    if (builder === 'classic') return 'classic';
    const has = await this.hasBuildx();
    if (builder === 'buildx' && !has)
      throw new StatusError('builder "buildx" requested but `docker buildx` is not installed');
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
    /** `--cache-from` values as the builder takes them (classic: image references). */
    cacheFrom?: string[];
    /** `--cache-to` values (buildx only). */
    cacheTo?: string[];
    target?: string;
    /** `--secret` values, e.g. `id=token,src=/tmp/file` (buildx only). */
    secrets?: string[];
    /** `--build-context` values `name=path|image` (buildx only). */
    buildContexts?: string[];
    onOutput?: (line: string) => void;
  }): Promise<DockerRunResult & { imageId: string }> {
    const args = opts.builder === 'buildx' ? ['buildx', 'build', '--load', '--progress', 'plain'] : ['build'];
    args.push('--file', opts.dockerfile);
    for (const t of opts.tags) args.push('--tag', t);
    for (const [k, v] of Object.entries(opts.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
    for (const [k, v] of Object.entries(opts.labels ?? {})) args.push('--label', `${k}=${v}`);
    for (const c of opts.cacheFrom ?? []) args.push('--cache-from', c);
    if (opts.target) args.push('--target', opts.target);
    if (opts.builder === 'buildx') {
      for (const c of opts.cacheTo ?? []) args.push('--cache-to', c);
      for (const s of opts.secrets ?? []) args.push('--secret', s);
      for (const b of opts.buildContexts ?? []) args.push('--build-context', b);
    } else if (opts.cacheTo?.length || opts.secrets?.length || opts.buildContexts?.length) {
      throw new StatusError(
        'cache-to, secrets and build-contexts need buildx; the classic builder has no such options',
      );
    }
    args.push(opts.context);
    const env = opts.builder === 'classic' ? { DOCKER_BUILDKIT: '0' } : { DOCKER_BUILDKIT: '1' };
    const saved = { ...this.env };
    const cli = new DockerCli({ command: this.command, env: { ...saved, ...env }, exec: this.exec });
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

  /** Layer digests (RootFS.Layers) of a local image, to compare builds. */
  async layers(ref: string): Promise<string[]> {
    const r = await this.run(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref]);
    return JSON.parse(r.stdout.trim() || '[]') as string[];
  }

  /** `docker save` of the given references into one tar (layers shared between them stored once). */
  async save(refs: string[], file: string): Promise<void> {
    await this.run(['save', '--output', file, ...refs]);
  }

  /** `docker load` of a tar; returns the references it loaded ("Loaded image: x"). */
  async load(file: string): Promise<string[]> {
    const r = await this.run(['load', '--input', file]);
    return [...(r.stdout + r.stderr).matchAll(/^Loaded image: (\S+)$/gm)].map((m) => m[1]!);
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

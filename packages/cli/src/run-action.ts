// Runs a JavaScript action the way a GitHub runner does: `node <runs.main>` in a child process with
// INPUT_<NAME> variables and fresh GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY / GITHUB_ENV /
// GITHUB_PATH files, then the post step (runs.post) with STATE_<name> variables from the saved
// state. The child's workflow commands become a readable log (groups with elapsed time, a
// heartbeat during long silent steps, annotations as `file:line: message`, masked secrets).
// It owns the runner emulation; what to show at the end is report.ts.
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { withTempDir } from '@kaapana-ext/core';
import { redactUrls, secretsInInput } from '@kaapana-ext/core/secrets';
import type { ActionMetadata } from './action-metadata.js';
import { parseRunnerFile } from './runner-files.js';
import { formatAnnotation, parseWorkflowCommand } from './workflow-commands.js';

export interface RunActionOptions {
  meta: ActionMetadata;
  inputs: Record<string, string>;
  /** Label used in the log, e.g. the command name. */
  label: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the log goes (stdout for people, stderr when stdout carries JSON). */
  log: NodeJS.WritableStream;
  verbose?: boolean;
  /** Seconds of silence inside a group before a "still running" line; 0 disables. */
  heartbeatSeconds?: number;
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  file?: string;
  line?: number;
  message: string;
}

export interface ActionRun {
  step: string;
  ok: boolean;
  exitCode: number;
  outputs: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  durationMs: number;
  postExitCode?: number;
}

export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** The child's environment: ours without runner variables of an outer job, plus the step's own. */
function baseEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (/^(INPUT_|STATE_)/.test(k)) continue;
    if (['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV', 'GITHUB_PATH'].includes(k)) continue;
    out[k] = v;
  }
  return out;
}

class Log {
  private masks: string[] = [];
  private groups: { name: string; start: number; lastOutput: number; lines: number }[] = [];
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly label: string,
    private readonly verbose: boolean,
    heartbeatSeconds: number,
  ) {
    if (heartbeatSeconds > 0) {
      this.timer = setInterval(() => this.heartbeat(heartbeatSeconds * 1000), 1000);
      this.timer.unref();
    }
  }
  addMask(v: string): void {
    if (v.trim().length > 0 && !this.masks.includes(v)) this.masks.push(v);
  }
  /** Masked values and URL userinfo replaced by `***` (as the runner does, plus URL credentials). */
  mask(s: string): string {
    let r = s;
    for (const m of this.masks) r = r.split(m).join('***');
    return redactUrls(r);
  }
  private write(s: string): void {
    const g = this.groups.at(-1);
    if (g) {
      g.lastOutput = Date.now();
      g.lines++;
    }
    const indent = '  '.repeat(this.groups.length);
    this.out.write(
      this.mask(s)
        .split('\n')
        .map((l) => `${indent}${l}`)
        .join('\n') + '\n',
    );
  }
  private heartbeat(after: number): void {
    const g = this.groups.at(-1);
    if (!g || Date.now() - g.lastOutput < after) return;
    this.write(`… ${g.name}: still running (${Math.round((Date.now() - g.start) / 1000)}s)`);
  }
  plain(line: string): void {
    this.write(line);
  }
  line(line: string, annotations: Annotation[]): void {
    const c = parseWorkflowCommand(line);
    if (!c) return this.write(line);
    switch (c.command) {
      case 'group':
        this.write(`▶ ${c.message}`);
        this.groups.push({ name: c.message, start: Date.now(), lastOutput: Date.now(), lines: 0 });
        return;
      case 'endgroup': {
        const g = this.groups.pop();
        const ms = g ? Date.now() - g.start : 0;
        // A group that printed nothing and was quick is a one-line record: no closing line.
        if (g && (g.lines > 0 || ms >= 1000)) this.write(`✓ ${g.name} (${(ms / 1000).toFixed(1)}s)`);
        return;
      }
      case 'add-mask':
        this.addMask(c.message);
        return;
      case 'debug':
        if (this.verbose) this.write(`debug: ${c.message}`);
        return;
      case 'error':
      case 'warning':
      case 'notice': {
        const a: Annotation = { level: c.command, message: c.message };
        if (c.properties.file) a.file = c.properties.file;
        const ln = Number(c.properties.line ?? c.properties.startLine);
        if (Number.isFinite(ln) && ln > 0) a.line = ln;
        annotations.push(a);
        this.write(formatAnnotation(c));
        return;
      }
      case 'set-output':
      case 'save-state':
      case 'echo':
      case 'stop-commands':
        return;
      default:
        this.write(line);
    }
  }
  close(): void {
    if (this.timer) clearInterval(this.timer);
    while (this.groups.length > 0) this.groups.pop();
  }
  get prefix(): string {
    return this.label;
  }
}

function runNode(
  entry: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  log: Log,
  annotations: Annotation[],
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const outDone = new Promise<void>((r) =>
      createInterface({ input: child.stdout })
        .on('line', (l) => log.line(l, annotations))
        .on('close', r),
    );
    const errDone = new Promise<void>((r) =>
      createInterface({ input: child.stderr })
        .on('line', (l) => log.plain(l))
        .on('close', r),
    );
    child.on('error', reject);
    child.on('close', (code, signal) => {
      void Promise.all([outDone, errDone]).then(() => resolve(code ?? (signal ? 128 : 1)));
    });
  });
}

/** One run of an action: its options, where it runs, its log and the annotations collected. */
interface StepRun {
  opts: RunActionOptions;
  cwd: string;
  log: Log;
  annotations: Annotation[];
}

type RunnerFiles = Record<
  'GITHUB_OUTPUT' | 'GITHUB_STATE' | 'GITHUB_STEP_SUMMARY' | 'GITHUB_ENV' | 'GITHUB_PATH',
  string
>;

export async function runAction(opts: RunActionOptions): Promise<ActionRun> {
  const cwd = opts.cwd ?? process.cwd();
  const log = new Log(opts.log, opts.label, opts.verbose ?? false, opts.heartbeatSeconds ?? 30);
  for (const [k, v] of Object.entries(opts.inputs)) for (const secret of secretsInInput(k, v)) log.addMask(secret);
  const started = Date.now();
  const s: StepRun = { opts, cwd, log, annotations: [] };
  try {
    return await withTempDir(`kaapana-ext-${opts.label}`, (dir) => runSteps(s, dir, started));
  } finally {
    log.close();
  }
}

/** The main step, then the post step when runs.post-if says so; outputs, summary and the closing line. */
async function runSteps(s: StepRun, dir: string, started: number): Promise<ActionRun> {
  const { opts, log } = s;
  const { meta } = opts;
  const files = await runnerFiles(dir);
  const env = await stepEnv(s, dir, files);
  log.plain(`▶▶ ${opts.label}: ${meta.name}`);
  const exitCode = await runNode(meta.main, env, s.cwd, log, s.annotations);
  const outputs = parseRunnerFile(await readFile(files.GITHUB_OUTPUT, 'utf8'), files.GITHUB_OUTPUT);
  const state = parseRunnerFile(await readFile(files.GITHUB_STATE, 'utf8'), files.GITHUB_STATE);
  const run: ActionRun = {
    step: opts.label,
    ok: exitCode === 0,
    exitCode,
    outputs,
    summary: '',
    annotations: s.annotations,
    durationMs: 0,
  };
  if (meta.post && postRuns(meta.postIf, exitCode)) {
    run.postExitCode = await runPost(s, meta.post, { env, files, state });
    if (run.postExitCode !== 0) log.plain(`post step exited with ${run.postExitCode}`);
  }
  run.summary = log.mask(await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'));
  run.durationMs = Date.now() - started;
  log.plain(
    `${run.ok ? '✓' : '✗'} ${opts.label} ${run.ok ? 'done' : `failed (exit ${exitCode})`} in ${(run.durationMs / 1000).toFixed(1)}s`,
  );
  return run;
}

/** Fresh, empty GITHUB_OUTPUT / STATE / STEP_SUMMARY / ENV / PATH files in `dir`. */
async function runnerFiles(dir: string): Promise<RunnerFiles> {
  const files: RunnerFiles = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path'),
  };
  for (const f of Object.values(files)) await writeFile(f, '');
  return files;
}

/**
 * The main step's environment: ours without an outer job's runner variables, the runner files,
 * RUNNER_TEMP (created in `dir`), the tool cache (kept across runs), the workspace and the inputs.
 */
async function stepEnv(s: StepRun, dir: string, files: RunnerFiles): Promise<NodeJS.ProcessEnv> {
  const { opts } = s;
  const outer = opts.env ?? process.env;
  const runnerTemp = join(dir, 'runner-temp');
  await mkdir(runnerTemp);
  const toolCache =
    outer.RUNNER_TOOL_CACHE ?? join(outer.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kaapana-ext', 'tool-cache');
  await mkdir(toolCache, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(outer),
    ...files,
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: toolCache,
    GITHUB_WORKSPACE: outer.GITHUB_WORKSPACE ?? s.cwd,
    GITHUB_ACTION_PATH: opts.meta.dir,
  };
  if (opts.verbose) env.RUNNER_DEBUG = '1';
  for (const [k, v] of Object.entries(opts.inputs)) env[inputEnvName(k)] = v;
  return env;
}

/** runs.post-if as the runner reads the common cases: always(), success(), failure(). */
function postRuns(postIfExpr: string, exitCode: number): boolean {
  const postIf = postIfExpr.replace(/\s/g, '');
  return (
    postIf === 'always()' || (postIf === 'success()' && exitCode === 0) || (postIf === 'failure()' && exitCode !== 0)
  );
}

/** The post step: the main step's environment plus what it exported (GITHUB_ENV, GITHUB_PATH) and STATE_<name>. */
async function runPost(
  s: StepRun,
  entry: string,
  main: { env: NodeJS.ProcessEnv; files: RunnerFiles; state: Record<string, string> },
): Promise<number> {
  const { env, files, state } = main;
  const exported = parseRunnerFile(await readFile(files.GITHUB_ENV, 'utf8'), files.GITHUB_ENV);
  const paths = (await readFile(files.GITHUB_PATH, 'utf8')).split('\n').filter(Boolean);
  const postEnv: NodeJS.ProcessEnv = { ...env, ...exported };
  if (paths.length > 0) postEnv.PATH = [...paths.reverse(), env.PATH ?? ''].join(delimiter);
  for (const [k, v] of Object.entries(state)) postEnv[`STATE_${k}`] = v;
  s.log.plain(`▶▶ ${s.opts.label}: post step`);
  return await runNode(entry, postEnv, s.cwd, s.log, s.annotations);
}

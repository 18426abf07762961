// Executes a reusable GitHub workflow here, job by job, the way GitHub's service and runner would,
// for the subset of the syntax our workflows use, so a documented path is run and not only linted.
// Expressions are evaluated by GitHub's own evaluator (`@actions/expressions`, from
// actions/languageservices); what surrounds them follows the runner's source (actions/runner, read
// via the mirror of github:actions/runner):
// - a step or job `if` without a status function means `success() && (<if>)`, an empty one
//   `success()` (src/Sdk/DTPipelines/Pipelines/ObjectTemplating/PipelineTemplateConverter.cs);
// - `uses: ./<path>` is `Path.Combine(<workspace>, <path>)`, with no check that it stays inside the
//   workspace (src/Runner.Worker/ActionManager.cs, LoadAction, the "self" repository case);
// - inputs missing from `with:` take the action.yml default (src/Runner.Worker/ActionRunner.cs) and
//   reach the action as INPUT_<NAME> (src/Runner.Worker/Handlers/Handler.cs); the JavaScript action
//   itself runs through the CLI's runner emulation (packages/cli/src/run-action.ts: main, post);
// - `run:` steps run as `bash --noprofile --norc -e -o pipefail <file>`
//   (src/Runner.Worker/Handlers/ScriptHandlerHelpers.cs) with GITHUB_OUTPUT / GITHUB_STEP_SUMMARY;
// - `job.workflow_repository` / `job.workflow_sha` name the workflow file's own repository and commit
//   (src/Runner.Worker/JobContext.cs).
// Each job (and matrix leg) gets a fresh runner directory: the workspace is `work/repo/repo`, so
// `..` is the runner's per-repository folder, as on GitHub-hosted runners. Three actions are
// emulated by what they do for these workflows: actions/checkout (the caller's repository, or the
// toolkit at a repository + ref, which must be the called workflow's own, or another repository at a
// ref the test maps to a directory: `checkouts`), upload-artifact and
// download-artifact (name / pattern + merge-multiple, files kept by base name). Anything else fails.
import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { parse } from 'yaml';
import { loadActionMetadata, runAction } from '../../packages/cli/src/index.js';
import { effectiveInputs } from '../../packages/cli/src/options.js';
import { parseRunnerFile } from '../../packages/cli/src/runner-files.js';

type Ctx = Record<string, unknown>;
type Status = { success: boolean; failure: boolean };

const CONTEXTS = [
  'github',
  'inputs',
  'secrets',
  'env',
  'job',
  'jobs',
  'steps',
  'needs',
  'matrix',
  'runner',
  'strategy',
  'vars',
];
const STATUS_FUNCS = ['always', 'success', 'failure', 'cancelled'].map((name) => ({ name, minArgs: 0, maxArgs: 0 }));

function evalData(expr: string, ctx: Ctx, status: Status = { success: true, failure: false }): data.ExpressionData {
  const ast = new Parser(new Lexer(expr).lex().tokens, CONTEXTS, STATUS_FUNCS).parse();
  const dict = JSON.parse(JSON.stringify(ctx), data.reviver) as data.Dictionary;
  const fn = (name: string, v: boolean) =>
    [name, { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(v) }] as const;
  const funcs = new Map([
    fn('always', true),
    fn('cancelled', false),
    fn('success', status.success),
    fn('failure', status.failure),
  ]);
  return new Evaluator(ast, dict, funcs).evaluate();
}

function plain(d: data.ExpressionData): unknown {
  return JSON.parse(JSON.stringify(d, data.replacer)) as unknown;
}

/** A value with `${{ }}`: one whole expression keeps its type, otherwise each part becomes text. */
export function evalTemplate(value: unknown, ctx: Ctx): unknown {
  if (typeof value !== 'string') return value;
  const whole = /^\s*\$\{\{([\s\S]*?)\}\}\s*$/.exec(value);
  if (whole && !whole[1]!.includes('}}')) return plain(evalData(whole[1]!, ctx));
  return value.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, e: string) => evalData(e, ctx).coerceString());
}

/** An action input / env value: what the runner hands over is always a string. */
function asString(value: unknown, ctx: Ctx): string {
  const v = evalTemplate(value, ctx);
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function evalIf(cond: unknown, ctx: Ctx, status: Status): boolean {
  let text = cond === undefined || cond === null || cond === '' ? 'success()' : String(cond).trim();
  const wrapped = /^\$\{\{([\s\S]*)\}\}$/.exec(text);
  if (wrapped) text = wrapped[1]!.trim();
  if (!/\b(always|success|failure|cancelled)\s*\(/.test(text)) text = `success() && (${text})`;
  const d = evalData(text, ctx, status);
  const v = plain(d);
  return !(v === false || v === 0 || v === '' || v === null || Number.isNaN(v));
}

interface Step {
  id?: string;
  name?: string;
  if?: unknown;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  'working-directory'?: string;
}
interface Job {
  needs?: string | string[];
  if?: unknown;
  strategy?: { matrix?: unknown };
  env?: Record<string, unknown>;
  outputs?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  env?: Record<string, unknown>;
  on: {
    workflow_call: {
      inputs?: Record<string, { type: string; default?: unknown }>;
      outputs?: Record<string, { value: string }>;
    };
  };
  jobs: Record<string, Job>;
}

export interface StepRecord {
  job: string;
  step: string;
  uses?: string;
  with?: Record<string, string>;
  outcome: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
}

export interface JobRecord {
  result: 'success' | 'failure' | 'skipped';
  outputs: Record<string, string>;
}

export interface WorkflowRunResult {
  jobs: Record<string, JobRecord>;
  steps: StepRecord[];
  outputs: Record<string, string>;
  /** Every runner directory (one per job and matrix leg). */
  runners: string[];
  log: string;
}

export interface RunWorkflowOptions {
  /** The reusable workflow file (in `toolkit`). */
  workflow: string;
  /** `with:` of the calling job, already evaluated in the caller's context. */
  with: Record<string, unknown>;
  secrets: Record<string, string>;
  /** The caller's repository as actions/checkout would lay it out. */
  repository: string;
  /** The toolkit's tree at the commit the workflow was called at (what a checkout of it gives). */
  toolkit: { repository: string; sha: string; dir: string };
  github: Ctx;
  /** Other repositories a job may check out: `owner/name@ref` → the directory standing for that checkout. */
  checkouts?: Record<string, string>;
  /** Scratch directory: runner dirs and artifacts go below it. */
  dir: string;
  env?: NodeJS.ProcessEnv;
}

function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

function order(jobs: Record<string, Job>): string[] {
  const done: string[] = [];
  const visit = (n: string, path: string[]) => {
    if (done.includes(n)) return;
    if (path.includes(n)) throw new Error(`needs cycle: ${[...path, n].join(' → ')}`);
    for (const d of needsOf(jobs[n]!)) visit(d, [...path, n]);
    done.push(n);
  };
  for (const n of Object.keys(jobs)) visit(n, []);
  return done;
}

/** Coerce the caller's values to the declared input types, defaults for the rest. */
function inputsContext(wf: Workflow, given: Record<string, unknown>): Ctx {
  const out: Ctx = {};
  for (const [name, spec] of Object.entries(wf.on.workflow_call.inputs ?? {})) {
    const v = name in given ? given[name] : spec.default;
    if (spec.type === 'boolean') out[name] = v === true || v === 'true';
    else if (spec.type === 'number') out[name] = v === undefined || v === '' ? 0 : Number(v);
    else out[name] = v === undefined ? '' : String(v);
  }
  for (const name of Object.keys(given)) if (!(name in out)) throw new Error(`the workflow has no input "${name}"`);
  return out;
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv, log: (s: string) => void): Promise<number> {
  return new Promise((res, rej) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => log(d.toString()));
    child.stderr.on('data', (d: Buffer) => log(d.toString()));
    child.on('error', rej);
    child.on('close', (code) => res(code ?? 1));
  });
}

/**
 * A checkout's files, as hard links (`cp -al`): fast for the thousands of staged files, and safe
 * because the actions replace files by rename (writeFileAtomic), never rewrite them in place.
 */
async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  return new Promise((res, rej) => {
    const child = spawn('cp', ['-al', `${from}/.`, to], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', rej);
    child.on('close', (code) => (code === 0 ? res() : rej(new Error(`cp -al ${from} ${to}: ${err.trim()}`))));
  });
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function globFiles(workspace: string, pattern: string): Promise<string[]> {
  const full = resolve(workspace, pattern);
  if (!/[*?]/.test(basename(full))) return (await exists(full)) ? [full] : [];
  const re = new RegExp(
    `^${basename(full)
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  const dir = dirname(full);
  if (!(await exists(dir))) return [];
  return (await readdir(dir)).filter((f) => re.test(f)).map((f) => join(dir, f));
}

export async function runReusableWorkflow(opts: RunWorkflowOptions): Promise<WorkflowRunResult> {
  const wf = parse(await readFile(opts.workflow, 'utf8')) as Workflow;
  const inputs = inputsContext(wf, opts.with);
  const artifacts = join(opts.dir, 'artifacts');
  const result: WorkflowRunResult = { jobs: {}, steps: [], outputs: {}, runners: [], log: '' };
  const log = (s: string) => {
    result.log += s.endsWith('\n') ? s : `${s}\n`;
  };
  const outerEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(opts.env ?? process.env))
    if (!/^(GITHUB_|INPUT_|STATE_|RUNNER_)/.test(k)) outerEnv[k] = v;
  let runnerCount = 0;

  for (const jobName of order(wf.jobs)) {
    const job = wf.jobs[jobName]!;
    const started = Date.now();
    const needs: Ctx = {};
    for (const n of needsOf(job)) needs[n] = { result: result.jobs[n]!.result, outputs: result.jobs[n]!.outputs };
    const needResults = Object.values(needs).map((n) => (n as JobRecord).result);
    const base: Ctx = { github: opts.github, inputs, secrets: opts.secrets, needs, vars: {} };
    const jobStatus = { success: needResults.every((r) => r === 'success'), failure: needResults.includes('failure') };
    if (!evalIf(job.if, base, jobStatus)) {
      log(`job ${jobName}: skipped`);
      result.jobs[jobName] = { result: 'skipped', outputs: {} };
      continue;
    }
    let legs: Ctx[] = [{}];
    if (job.strategy?.matrix !== undefined) {
      const m = evalTemplate(job.strategy.matrix, base) as { include?: Ctx[] };
      const keys = Object.keys(m).filter((k) => k !== 'include');
      if (keys.length > 0) throw new Error(`job ${jobName}: only matrix include lists are emulated`);
      legs = m.include ?? [];
    }
    let jobOk = true;
    let outputs: Record<string, string> = {};
    for (const matrix of legs) {
      const runner = join(opts.dir, `runner-${++runnerCount}`);
      const workspace = join(runner, 'work', 'repo', 'repo');
      const temp = join(runner, 'work', '_temp');
      await mkdir(workspace, { recursive: true });
      await mkdir(temp, { recursive: true });
      result.runners.push(runner);
      const env: Record<string, string> = {};
      const ctx: Ctx = {
        ...base,
        matrix,
        job: { status: 'success', workflow_repository: opts.toolkit.repository, workflow_sha: opts.toolkit.sha },
        runner: { temp, os: 'Linux' },
        steps: {},
        env,
      };
      for (const [k, v] of Object.entries(wf.env ?? {})) env[k] = asString(v, ctx);
      for (const [k, v] of Object.entries(job.env ?? {})) env[k] = asString(v, ctx);
      let legOk = true;
      for (const [i, step] of (job.steps ?? []).entries()) {
        const label = step.id ?? step.name ?? step.uses ?? `step ${i + 1}`;
        const stepsCtx = ctx.steps as Record<string, unknown>;
        if (!evalIf(step.if, ctx, { success: legOk, failure: !legOk })) {
          result.steps.push({ job: jobName, step: label, outcome: 'skipped', outputs: {} });
          if (step.id) stepsCtx[step.id] = { outcome: 'skipped', conclusion: 'skipped', outputs: {} };
          continue;
        }
        const stepEnv: Record<string, string> = { ...env };
        for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = asString(v, ctx);
        const withValues: Record<string, string> = {};
        for (const [k, v] of Object.entries(step.with ?? {})) withValues[k] = asString(v, ctx);
        let ok = true;
        let stepOutputs: Record<string, string> = {};
        const record: StepRecord = { job: jobName, step: label, outcome: 'success', outputs: {} };
        if (step.uses) {
          record.uses = step.uses;
          record.with = withValues;
        }
        try {
          if (step.run !== undefined) {
            const files = {
              GITHUB_OUTPUT: join(temp, `output-${i}`),
              GITHUB_STEP_SUMMARY: join(temp, `summary-${i}`),
              GITHUB_ENV: join(temp, `env-${i}`),
            };
            for (const f of Object.values(files)) await writeFile(f, '');
            const script = asString(step.run, ctx);
            const cwd = step['working-directory']
              ? resolve(workspace, asString(step['working-directory'], ctx))
              : workspace;
            const code = await bash(
              script,
              cwd,
              {
                ...outerEnv,
                ...stepEnv,
                ...files,
                GITHUB_WORKSPACE: workspace,
                RUNNER_TEMP: temp,
                CI: 'true',
                GITHUB_ACTIONS: 'true',
              },
              log,
            );
            ok = code === 0;
            stepOutputs = parseRunnerFile(await readFile(files.GITHUB_OUTPUT, 'utf8'), files.GITHUB_OUTPUT);
            Object.assign(env, parseRunnerFile(await readFile(files.GITHUB_ENV, 'utf8'), files.GITHUB_ENV));
          } else if (step.uses?.startsWith('actions/checkout@')) {
            if (withValues['persist-credentials'] !== 'false')
              throw new Error(`${jobName}: a checkout keeps its credentials (persist-credentials is not false)`);
            const dest = resolve(workspace, withValues.path || '.');
            if (withValues.repository) {
              const other = opts.checkouts?.[`${withValues.repository}@${withValues.ref}`];
              if (other) await linkTree(other, dest);
              else if (withValues.repository !== opts.toolkit.repository || withValues.ref !== opts.toolkit.sha) {
                throw new Error(
                  `${jobName}: checks out ${withValues.repository}@${withValues.ref}, not the called workflow's ${opts.toolkit.repository}@${opts.toolkit.sha}`,
                );
              } else await linkTree(opts.toolkit.dir, dest);
            } else {
              for (const e of await readdir(dest).catch(() => []))
                await rm(join(dest, e), { recursive: true, force: true });
              await linkTree(opts.repository, dest);
            }
          } else if (step.uses?.startsWith('actions/upload-artifact@')) {
            const files = await globFiles(workspace, withValues.path!);
            if (files.length === 0 && withValues['if-no-files-found'] === 'error')
              throw new Error(`upload-artifact: no files at ${withValues.path}`);
            const to = join(artifacts, withValues.name!);
            if (await exists(to)) throw new Error(`upload-artifact: an artifact "${withValues.name}" exists already`);
            await mkdir(to, { recursive: true });
            for (const f of files) await cp(f, join(to, basename(f)));
          } else if (step.uses?.startsWith('actions/download-artifact@')) {
            const dest = resolve(workspace, withValues.path || '.');
            await mkdir(dest, { recursive: true });
            const names = (await readdir(artifacts).catch(() => [] as string[])).sort();
            if (withValues.name) {
              if (!names.includes(withValues.name))
                throw new Error(`download-artifact: no artifact "${withValues.name}"`);
              await cp(join(artifacts, withValues.name), dest, { recursive: true });
            } else {
              const re = new RegExp(
                `^${(withValues.pattern ?? '*').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`,
              );
              for (const n of names.filter((x) => re.test(x))) {
                await cp(join(artifacts, n), withValues['merge-multiple'] === 'true' ? dest : join(dest, n), {
                  recursive: true,
                });
              }
            }
          } else if (step.uses?.startsWith('./')) {
            const dir = join(workspace, step.uses); // what the runner does: Path.Combine(workspace, path)
            const meta = await loadActionMetadata(dir);
            const given = new Map(Object.entries(withValues));
            for (const k of given.keys())
              if (!meta.inputs.some((x) => x.name === k)) throw new Error(`${step.uses} has no input "${k}"`);
            const actionInputs = effectiveInputs(meta, given, { cwd: workspace, runnerTemp: temp, env: {} });
            const sink = new Writable({
              write(chunk: Buffer, _enc, cb) {
                log(chunk.toString());
                cb();
              },
            });
            const run = await runAction({
              meta,
              inputs: actionInputs,
              label: `${jobName}-${label}`.replace(/[^A-Za-z0-9_.-]/g, '-'),
              cwd: workspace,
              env: { ...outerEnv, ...stepEnv, GITHUB_WORKSPACE: workspace, GITHUB_ACTIONS: 'true', CI: 'true' },
              log: sink,
              heartbeatSeconds: 0,
            });
            ok = run.ok && (run.postExitCode ?? 0) === 0;
            stepOutputs = run.outputs;
          } else {
            throw new Error(`step ${label}: "${step.uses}" is not emulated`);
          }
        } catch (e) {
          log(`${jobName}/${label}: ${e instanceof Error ? e.message : String(e)}`);
          ok = false;
        }
        record.outcome = ok ? 'success' : 'failure';
        record.outputs = stepOutputs;
        result.steps.push(record);
        if (step.id) stepsCtx[step.id] = { outcome: record.outcome, conclusion: record.outcome, outputs: stepOutputs };
        if (!ok) legOk = false;
      }
      if (!legOk) jobOk = false;
      outputs = {};
      for (const [k, v] of Object.entries(job.outputs ?? {})) outputs[k] = asString(v, ctx);
      if (!legOk) break; // fail-fast: true
    }
    result.jobs[jobName] = { result: jobOk ? 'success' : 'failure', outputs };
    log(`job ${jobName}: ${result.jobs[jobName]!.result} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  }
  const jobsCtx: Ctx = {};
  for (const [n, j] of Object.entries(result.jobs)) jobsCtx[n] = j;
  for (const [k, spec] of Object.entries(wf.on.workflow_call.outputs ?? {}))
    result.outputs[k] = asString(spec.value, { jobs: jobsCtx });
  return result;
}

// The shared harness of the hostile-input suite (see README.md here): a scratch area with the
// workspace the step works in and a sibling `outside/` directory holding a canary secret; tree
// snapshots (lstat-based, symlinks never followed) to prove nothing was written outside the intended
// directory; running an action's committed bundle like a runner (test/support/run-action.ts) or the
// CLI as a real process, both under a memory limit; and the assertions every hostile case makes —
// exit code, one annotation naming the file, no stack trace, no secret in anything visible.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { expect } from 'vitest';
import { runAction, type ActionRun, type NodeLaunch } from '../support/run-action.js';

export const ROOT = resolve(import.meta.dirname, '../..');

/** Exit code of a step that failed on bad input (actions and CLI alike; see SECURITY.md). */
export const EXIT_FAILED = 1;
/** Exit code of the CLI for bad usage (unknown option, malformed option value). */
export const EXIT_USAGE = 2;

/**
 * Every hostile case runs under this limit: a cap on the process's data memory (prlimit --data,
 * RLIMIT_DATA: heap, Buffers and every other private writable mapping — unlike --as it leaves the
 * PROT_NONE reservations of WebAssembly alone, which undici's fetch needs) and a small V8 heap. A
 * case that would grow without end then dies with a crash exit code (133/134) or a RangeError
 * instead of a clean 1, and the test says so.
 */
export const MEMORY_LIMIT_BYTES = 1024 * 1024 * 1024;
export const HEAP_LIMIT_MB = 192;
const PRLIMIT = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p));
export const MEMORY_LAUNCH: NodeLaunch = {
  nodeArgs: [`--max-old-space-size=${HEAP_LIMIT_MB}`],
  ...(PRLIMIT ? { wrap: [PRLIMIT, `--data=${MEMORY_LIMIT_BYTES}`, '--'] } : {}),
};

export interface Scratch {
  /** The temp root holding everything the case may touch. */
  root: string;
  /** The workspace (GITHUB_WORKSPACE, cwd). */
  ws: string;
  /** A sibling of the workspace nothing may write to; holds `secret.txt`. */
  outside: string;
  /** The canary secret in `outside/secret.txt`. */
  secret: string;
  /** Remove the scratch area. */
  cleanup(): void;
}

/** A fresh scratch area: `<root>/ws/` and `<root>/outside/secret.txt`. */
export function scratch(label: string): Scratch {
  const root = mkdtempSync(join(tmpdir(), `kx-hostile-${label}-`));
  const ws = join(root, 'ws');
  const outside = join(root, 'outside');
  mkdirSync(ws);
  mkdirSync(outside);
  const secret = `canary-${createHash('sha256').update(root).digest('hex').slice(0, 16)}`;
  writeFileSync(join(outside, 'secret.txt'), `${secret}\n`);
  return { root, ws, outside, secret, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Write `files` (path → content) below `dir`, creating directories. */
export function writeTree(dir: string, files: Record<string, string | Buffer>): void {
  for (const [rel, data] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  }
}

/** A minimal valid chart (apiVersion v1 with requirements.yaml when `requirements` is given). */
export function chartFiles(
  name: string,
  opts: { version?: string; requirements?: string; extra?: Record<string, string> } = {},
): Record<string, string> {
  const files: Record<string, string> = {
    'Chart.yaml': `apiVersion: v1\nname: ${name}\nversion: ${opts.version ?? '0.1.0'}\ndescription: hostile-input test chart\n`,
    'values.yaml': 'global:\n  image: x\n',
    'templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n',
    ...opts.extra,
  };
  if (opts.requirements !== undefined) files['requirements.yaml'] = opts.requirements;
  return files;
}

/** path (relative to the snapshot root) → type, mode, size and content hash or link target. */
export type Tree = Map<string, string>;

/** Snapshot `root` without following symlinks. */
export function snapshot(root: string): Tree {
  const out: Tree = new Map();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = lstatSync(path);
      const rel = relative(root, path);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out.set(rel, `link ${readlinkSync(path)}`);
      else if (st.isDirectory()) {
        out.set(rel, `dir ${mode}`);
        walk(path);
      } else {
        // Large (sparse) files that cases create on purpose: size and mtime stand in for the content.
        const content =
          st.size > 16 * 1024 * 1024
            ? `mtime ${st.mtimeMs}`
            : createHash('sha256').update(readFileSync(path)).digest('hex');
        out.set(rel, `file ${mode} ${st.size} ${content}`);
      }
    }
  };
  walk(root);
  return out;
}

/** Paths added, removed or changed between two snapshots. */
export function treeChanges(before: Tree, after: Tree): string[] {
  const changed: string[] = [];
  for (const [p, sig] of after) if (before.get(p) !== sig) changed.push(p);
  for (const p of before.keys()) if (!after.has(p)) changed.push(p);
  return changed.sort();
}

/** Every change between the snapshots lies below one of `allowed` (relative to the snapshot root). */
export function expectChangesOnlyUnder(before: Tree, after: Tree, allowed: string[]): void {
  const stray = treeChanges(before, after).filter((p) => !allowed.some((a) => p === a || p.startsWith(`${a}/`)));
  expect(stray, 'files written, changed or removed outside the intended directory').toEqual([]);
}

/** Run an action's bundle as a runner does, inside `s.ws`, under the memory limit. */
export async function runHostileAction(
  action: string,
  inputs: Record<string, string>,
  s: Scratch,
  env: Record<string, string> = {},
): Promise<ActionRun> {
  return runAction(action, inputs, {
    post: false,
    cwd: s.ws,
    env: { GITHUB_WORKSPACE: s.ws, ...env },
    launch: MEMORY_LAUNCH,
  });
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Run the `kaapana-ext` CLI (packages/cli/bin) as a real process in `s.ws`, under the memory limit. */
export function runHostileCli(argv: string[], s: Scratch, env: Record<string, string> = {}): Promise<CliRun> {
  return runHostileBin(join(ROOT, 'packages/cli/bin/kaapana-ext.js'), argv, s, env);
}

/** Run a Node executable (`bin`, e.g. algorithm/bin/kaapana-otsu.js) as a real process in `s.ws`, under the memory limit. */
export function runHostileBin(
  bin: string,
  argv: string[],
  s: Scratch,
  env: Record<string, string> = {},
): Promise<CliRun> {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(INPUT_|STATE_|GITHUB_|RUNNER_)/.test(k)) childEnv[k] = v;
  Object.assign(childEnv, { GITHUB_WORKSPACE: s.ws, ...env });
  const cmd = [...(MEMORY_LAUNCH.wrap ?? []), process.execPath, ...(MEMORY_LAUNCH.nodeArgs ?? []), bin, ...argv];
  return new Promise((res, rej) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { cwd: s.ws, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code, signal) => res({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

/** The log a person sees: the runner consumes `::add-mask::` lines, everything else is shown. */
export function visibleLog(stdout: string): string {
  return stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
}

/** Values registered with `::add-mask::` by the step. */
export function maskedValues(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('::add-mask::'))
    .map((l) => l.slice('::add-mask::'.length).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'));
}

/** No secret in the visible log, the job summary or any output. */
export function expectNoSecret(run: ActionRun | CliRun, secrets: string[]): void {
  const places: [string, string][] =
    'summary' in run
      ? [
          ['log', visibleLog(run.stdout)],
          ['summary', run.summary],
          ['outputs', JSON.stringify(run.outputs)],
        ]
      : [
          ['stdout', run.stdout],
          ['stderr', run.stderr],
        ];
  for (const secret of secrets)
    for (const [where, text] of places)
      expect(text.includes(secret), `secret "${secret}" appears in the ${where}:\n${text}`).toBe(false);
}

/** The `::error` annotations of a run. */
export function errorAnnotations(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.startsWith('::error'));
}

/**
 * The step failed cleanly: exit code 1 (not a crash or an out-of-memory kill), exactly one error
 * annotation (`count` for several independent errors), which names `file` (a path fragment, in its
 * `file=` property or its message), no stack trace, and no secret visible.
 */
export function expectCleanFailure(
  run: ActionRun,
  opts: { file: string; message?: RegExp; count?: number; secrets?: string[] },
): string {
  const log = visibleLog(run.stdout);
  expect(run.exitCode, `expected a clean failure (exit ${EXIT_FAILED}), got ${run.exitCode}:\n${log}`).toBe(
    EXIT_FAILED,
  );
  const errors = errorAnnotations(run.stdout);
  expect(errors, `expected ${opts.count ?? 1} error annotation(s):\n${log}`).toHaveLength(opts.count ?? 1);
  const first = errors[0]!;
  expect(first.replace(/%2C/g, ',').replace(/%3A/g, ':'), 'the annotation names the file').toContain(opts.file);
  if (opts.message) expect(first).toMatch(opts.message);
  expect(log, 'no stack trace').not.toMatch(/\n\s+at .+:\d+:\d+\)?$/m);
  expect(log).not.toMatch(/internal error|FATAL ERROR|heap out of memory/i);
  expectNoSecret(run, opts.secrets ?? []);
  return first;
}

export interface DenyingServer {
  /** `127.0.0.1:<port>` */
  host: string;
  /** The Authorization headers it received. */
  authorizations: string[];
  close(): Promise<void>;
}

/**
 * An HTTP server on loopback that answers every request with 401 (an answer that is never retried,
 * so a case fails at once) and records the Authorization headers — proof that credentials written
 * into a URL were sent as auth instead of being printed.
 */
export async function denyingServer(): Promise<DenyingServer> {
  const authorizations: string[] = [];
  const server = createServer((req, res) => {
    if (req.headers.authorization) authorizations.push(req.headers.authorization);
    res.writeHead(401, { 'content-type': 'text/plain' }).end('denied');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { host: `127.0.0.1:${port}`, authorizations, close: () => new Promise<void>((r) => server.close(() => r())) };
}

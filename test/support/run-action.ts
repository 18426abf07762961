// Runs a bundled action (`action-*/dist/index.js`) the way the GitHub runner does: inputs as
// INPUT_<NAME> variables, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE files, then the post
// step with the saved state as STATE_<name>. Returns outputs, summary, logs and exit codes.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface ActionRun {
  exitCode: number;
  postExitCode?: number;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  postStdout?: string;
}

const ROOT = resolve(import.meta.dirname, '../..');

/** Parse the `name<<DELIM ... DELIM` and `name=value` forms of GITHUB_OUTPUT / GITHUB_STATE. */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!);
      out[name!] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

/** How the node process is started: extra node flags, and a command it runs under (e.g. prlimit). */
export interface NodeLaunch {
  /** e.g. `['--max-old-space-size=128']`. */
  nodeArgs?: string[];
  /** Command and arguments placed before node, e.g. `['prlimit', '--as=1073741824', '--']`. */
  wrap?: string[];
}

function node(
  script: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  launch: NodeLaunch = {},
): Promise<{ code: number; stdout: string }> {
  return new Promise((res, rej) => {
    const argv = [...(launch.wrap ?? []), process.execPath, ...(launch.nodeArgs ?? []), script];
    const child = spawn(argv[0]!, argv.slice(1), { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    child.on('error', rej);
    child.on('close', (code, signal) => res({ code: code ?? (signal ? 128 : 1), stdout }));
  });
}

export async function runAction(
  action: string,
  inputs: Record<string, string>,
  opts: { post?: boolean; cwd?: string; env?: Record<string, string>; launch?: NodeLaunch } = {},
): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'kx-runner-'));
  try {
    const files = {
      GITHUB_OUTPUT: join(dir, 'output'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
      GITHUB_STATE: join(dir, 'state'),
    };
    await Promise.all(Object.values(files).map((f) => writeFile(f, '')));
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env))
      if (!k.startsWith('INPUT_') && !k.startsWith('STATE_') && !k.startsWith('GITHUB_')) env[k] = v;
    Object.assign(env, files, { RUNNER_TEMP: dir, GITHUB_ACTIONS: 'true', ...opts.env });
    for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
    const script = join(ROOT, action, 'dist/index.js');
    const cwd = opts.cwd ?? ROOT;
    const main = await node(script, env, cwd, opts.launch);
    const result: ActionRun = {
      exitCode: main.code,
      outputs: parseCommandFile(await readFile(files.GITHUB_OUTPUT, 'utf8')),
      summary: await readFile(files.GITHUB_STEP_SUMMARY, 'utf8'),
      stdout: main.stdout,
    };
    if (opts.post ?? true) {
      const state = parseCommandFile(await readFile(files.GITHUB_STATE, 'utf8'));
      const postEnv = { ...env };
      for (const [k, v] of Object.entries(state)) postEnv[`STATE_${k}`] = v;
      const post = await node(script, postEnv, cwd, opts.launch);
      result.postExitCode = post.code;
      result.postStdout = post.stdout;
    }
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

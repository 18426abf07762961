// The @actions/exec adapter of core's `Exec`: what actions pass to the domain package for the
// processes a runner should start the way other actions do (tool lookup through @actions/io,
// Windows quoting). Silent: output is captured and handed to `onLine`, never echoed by the runner.
// Only `cwd`, `env`, `input` and `onLine` are supported — @actions/exec has no deadline or abort;
// code that needs those (kubectl, ssh, kubectl proxy) keeps core's nodeExec.
import * as exec from '@actions/exec';
import { ExecStartError, type Exec, type ExecResult } from '@kaapana-ext/core/exec';

export const actionsExec: Exec = async (command, args, opts = {}) => {
  if (opts.timeoutMs !== undefined || opts.signal)
    throw new Error('actionsExec: timeoutMs and signal are not supported; use nodeExec');
  let stdout = '';
  let stderr = '';
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, opts.env);
  const line = opts.onLine;
  const execOpts: exec.ExecOptions = {
    silent: true,
    ignoreReturnCode: true,
    env,
    listeners: {
      stdout: (d: Buffer) => void (stdout += d.toString()),
      stderr: (d: Buffer) => void (stderr += d.toString()),
      ...(line ? { stdline: (l: string) => line(l, 'stdout'), errline: (l: string) => line(l, 'stderr') } : {}),
    },
  };
  if (opts.cwd) execOpts.cwd = opts.cwd;
  if (opts.input !== undefined) execOpts.input = Buffer.from(opts.input);
  let exitCode: number;
  try {
    exitCode = await exec.exec(command, [...args], execOpts);
  } catch (e) {
    throw new ExecStartError(command, e as Error);
  }
  const result: ExecResult = { exitCode, signal: null, stdout, stderr, timedOut: false };
  return result;
};

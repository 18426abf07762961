// Committing the collection change with git (the optional `commit` step of update-collection):
// stages exactly the edited file and commits it, with a bot identity when the repository has none.
// It never pushes; a workflow pushes or opens a pull request afterwards.
import * as exec from '@actions/exec';
import { dirname } from 'node:path';
import { KxError } from '../errors/index.js';

export interface CommitOptions {
  /** File to commit (only this one is staged). */
  file: string;
  message: string;
  /** Identity used when `git config user.email` is empty. */
  fallbackName?: string;
  fallbackEmail?: string;
}

async function git(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await exec.exec('git', args, {
    cwd,
    silent: true,
    ignoreReturnCode: true,
    listeners: { stdout: (d: Buffer) => (out += d.toString()), stderr: (d: Buffer) => (err += d.toString()) },
  });
  return { code, out: out.trim(), err: err.trim() };
}

/** Commit `file`; returns the new commit's SHA. */
export async function commitFile(opts: CommitOptions): Promise<string> {
  const cwd = dirname(opts.file);
  const top = await git(['rev-parse', '--show-toplevel'], cwd);
  if (top.code !== 0) throw new KxError(`cannot commit: not inside a git work tree (${top.err})`, { file: opts.file });
  const identity: string[] = [];
  if ((await git(['config', 'user.email'], cwd)).out === '') {
    identity.push('-c', `user.name=${opts.fallbackName ?? 'github-actions[bot]'}`);
    identity.push('-c', `user.email=${opts.fallbackEmail ?? '41898282+github-actions[bot]@users.noreply.github.com'}`);
  }
  const add = await git(['add', '--', opts.file], cwd);
  if (add.code !== 0) throw new KxError(`git add failed: ${add.err}`, { file: opts.file });
  const commit = await git([...identity, 'commit', '--only', '-m', opts.message, '--', opts.file], cwd);
  if (commit.code !== 0) throw new KxError(`git commit failed: ${commit.err || commit.out}`, { file: opts.file });
  return (await git(['rev-parse', 'HEAD'], cwd)).out;
}

// Committing the collection change with git (the optional `commit` step of update-collection):
// stages exactly the edited file and commits it, with a bot identity when the repository has none.
// It never pushes; a workflow pushes or opens a pull request afterwards.
import { dirname } from 'node:path';
import { KxError } from '../errors/index.js';
import { nodeExec, type Exec } from '../exec/index.js';

export interface CommitOptions {
  /** File to commit (only this one is staged). */
  file: string;
  message: string;
  /** Identity used when `git config user.email` is empty. */
  fallbackName?: string;
  fallbackEmail?: string;
  /** How git is started; default nodeExec. */
  exec?: Exec;
}

async function run(exec: Exec, args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const r = await exec('git', args, { cwd });
  return { code: r.exitCode ?? 1, out: r.stdout.trim(), err: r.stderr.trim() };
}

/** Commit `file`; returns the new commit's SHA. */
export async function commitFile(opts: CommitOptions): Promise<string> {
  const cwd = dirname(opts.file);
  const git = (args: string[], dir: string): ReturnType<typeof run> => run(opts.exec ?? nodeExec, args, dir);
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

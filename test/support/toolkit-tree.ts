// Helpers of the emulated-runner tests of the reusable workflow: the toolkit as a checkout of it
// gives it (the workflows and the actions, action.yml + bundle, from this working tree), and a
// write-with-parents for the trees those tests lay out.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** `content` written to `path`, its directories created. */
export async function write(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

/** The git-tracked `.github` and `action-*` files of the checkout `root`, as they are now, copied to `to`. */
export async function toolkitTree(root: string, to: string): Promise<void> {
  const files = execFileSync('git', ['ls-files', '-z', '--', '.github', 'action-*'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    await mkdir(dirname(join(to, f)), { recursive: true });
    await cp(join(root, f), join(to, f));
  }
}

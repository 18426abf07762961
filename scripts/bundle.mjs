#!/usr/bin/env node
// Rebuilds the committed ncc bundle of each action (`action-*/dist/index.js`), or with --check
// builds into a temp dir and fails when a committed bundle differs from a fresh build.
//   node scripts/bundle.mjs [--check] [action-dir ...]
// The core library must be compiled first (`npm run build`), since actions import its lib/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const check = args.includes('--check');
let actions = args.filter((a) => !a.startsWith('--')).map((a) => a.replace(/\/$/, ''));
if (actions.length === 0) {
  actions = readdirSync(root)
    .filter((d) => d.startsWith('action-') && existsSync(join(root, d, 'src/index.ts')))
    .sort();
}

const ncc = join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
let stale = 0;
for (const action of actions) {
  const dir = join(root, action);
  const out = check ? mkdtempSync(join(tmpdir(), `kx-bundle-${action}-`)) : join(dir, 'dist');
  execFileSync(
    process.execPath,
    [ncc, 'build', join(dir, 'src/index.ts'), '-o', out, '--license', 'licenses.txt', '--quiet'],
    {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (check) {
    for (const file of readdirSync(out)) {
      const committed = join(dir, 'dist', file);
      const fresh = readFileSync(join(out, file));
      if (!existsSync(committed) || !readFileSync(committed).equals(fresh)) {
        console.error(`${action}/dist/${file} is stale: run \`npm run bundle\` and commit the result`);
        stale++;
      }
    }
    rmSync(out, { recursive: true, force: true });
  } else {
    console.log(`bundled ${action}/dist/index.js`);
  }
}
if (stale > 0) process.exit(1);
if (check) console.log(`${actions.length} bundle(s) up to date`);

#!/usr/bin/env node
// `npm run bench`: runs every benchmark of the project one after another (they would disturb each
// other in parallel) and prints their reports. Each benchmark measures its own baseline in the
// same run and prints ratios against it. Pass names to run a subset: `npm run bench -- chart`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const only = process.argv.slice(2);
const dirs = ['bench', 'algorithm/bench'];
const files = dirs
  .filter((d) => existsSync(join(root, d)))
  .flatMap((d) =>
    readdirSync(join(root, d))
      .filter((f) => f.endsWith('.bench.mjs'))
      .map((f) => join(d, f)),
  )
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const r = spawnSync(process.execPath, [join(root, file)], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error(`${file} failed (exit ${r.status})`);
    failed++;
  }
}
if (files.length === 0) console.log('no benchmarks found');
process.exit(failed ? 1 : 0);

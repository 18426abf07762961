#!/usr/bin/env node
// Benchmark of the CLI's runner emulation: `kaapana-ext build-images --dry-run` on the example
// extension against running the same action bundle directly with INPUT_* variables and runner
// files, main then post step (what a GitHub runner does). Prints median times and the CLI
// overhead ratio. Not a test: nothing here asserts a time. Run: node bench/cli.bench.mjs [runs] (after `npm run build`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 7);
const inputs = {
  context: 'examples/threshold-segmentation',
  ignore: 'collection',
  registry: '127.0.0.1:5000/kx-bench',
  'tag-style': 'kp',
  'platform-version': '0.1.3',
  'dry-run': 'true',
};

function direct() {
  const dir = mkdtempSync(join(tmpdir(), 'kx-bench-'));
  const env = { ...process.env, RUNNER_TEMP: dir };
  for (const f of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV', 'GITHUB_PATH']) {
    env[f] = join(dir, f);
    writeFileSync(env[f], '');
  }
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const t = process.hrtime.bigint();
  const entry = join(root, 'action-build-images/dist/index.js');
  const r = spawnSync(process.execPath, [entry], { cwd: root, env, stdio: 'ignore' });
  // The runner then runs the post step with the saved state as STATE_<name> variables.
  const postEnv = { ...env };
  for (const line of readFileSync(env.GITHUB_STATE, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) postEnv[`STATE_${line.slice(0, eq)}`] = line.slice(eq + 1);
  }
  spawnSync(process.execPath, [entry], { cwd: root, env: postEnv, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`direct run failed (${r.status})`);
  return ms;
}

function viaCli() {
  const args = ['build-images', '--json', ...Object.entries(inputs).flatMap(([k, v]) => [`--${k}`, v])];
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(root, 'packages/cli/bin/kaapana-ext.js'), ...args], {
    cwd: root,
    stdio: 'ignore',
  });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`CLI run failed (${r.status})`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
direct();
viaCli(); // warm the file cache
const d = [];
const c = [];
for (let i = 0; i < runs; i++) {
  d.push(direct());
  c.push(viaCli());
}
const md = median(d);
const mc = median(c);
console.log(`cli bench (${runs} runs, build-images --dry-run on the example):`);
console.log(`  action bundle run directly : ${md.toFixed(0)} ms (median)`);
console.log(`  kaapana-ext build-images   : ${mc.toFixed(0)} ms (median)`);
console.log(`  CLI overhead               : ${(mc - md).toFixed(0)} ms, ratio ${(mc / md).toFixed(2)}x`);

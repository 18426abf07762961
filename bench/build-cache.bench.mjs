#!/usr/bin/env node
// Benchmark of the build cache in action-build-images (run by `npm run bench`, inside
// scripts/with-services.sh), with the classic builder of this machine, on the example's processing
// image (examples/threshold-segmentation/processing-containers/otsus-method, FROM its local-only
// Node base):
//   (a) cold: the bundled action builds the image with nothing to reuse (a fresh LABEL right after
//       FROM makes every later step new), then the image is pushed (not timed);
//   (b) cached: the image is removed (`docker rmi`), and the action builds it again with
//       cache-from: {{ref}} — it pulls the pushed tag and reuses its layers.
// The ratio (b)/(a) is printed; the local-only base is present in both runs (built once, untimed).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const registry = process.env.KX_REGISTRY ?? '127.0.0.1:5000';
const env = { ...process.env, DOCKER_BUILDKIT: '0' };

function sh(cmd, args, extraEnv = {}) {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) =>
      code === 0 ? res(out) : rej(new Error(`${cmd} ${args.join(' ')} → ${code}\n${out.slice(-3000)}`)),
    );
  });
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const out = await fn();
  return { s: Number(process.hrtime.bigint() - t0) / 1e9, out };
}

function runAction(inputs) {
  const e = {};
  for (const [k, v] of Object.entries(inputs)) e[`INPUT_${k.toUpperCase()}`] = v;
  return sh(process.execPath, [join(root, 'action-build-images/dist/index.js')], e);
}

// Stage the processing container the way the demo does (its Node base and its app/ directory).
const algorithmPkg = JSON.parse(readFileSync(join(root, 'algorithm/package.json'), 'utf8'));
for (const script of ['container-base', 'container-context']) {
  if (algorithmPkg.scripts?.[script]) await sh('npm', ['run', '--silent', script, '-w', '@kaapana-ext/algorithm']);
}
const source = join(root, 'examples/threshold-segmentation/processing-containers');
if (!existsSync(join(source, 'otsus-method/app')))
  throw new Error(`${source}/otsus-method/app is not staged (npm run container-context -w @kaapana-ext/algorithm)`);

// A private copy with a nonce label after FROM, so the cold build cannot hit any earlier build.
const work = mkdtempSync(join(tmpdir(), 'kx-bench-cache-'));
cpSync(source, work, { recursive: true });
const dockerfile = join(work, 'otsus-method/Dockerfile');
const nonce = `${Date.now()}-${process.pid}`;
writeFileSync(
  dockerfile,
  readFileSync(dockerfile, 'utf8').replace(/^(FROM .*)$/m, `$1\nLABEL KX_BENCH_NONCE="${nonce}"`),
);
const repo = `${registry}/kx-bench-cache-${Date.now().toString(36)}`;
const inputs = {
  context: work,
  dockerfiles: 'otsus-method/Dockerfile',
  registry: repo,
  version: '0.1.0',
  builder: 'classic',
  push: 'false',
  'reference-lint': 'off',
};
const ref = `${repo}/example-otsus-method:0.1.0`;

try {
  await runAction({ ...inputs, dockerfiles: 'node-runtime/Dockerfile' }); // the local-only base, untimed
  const cold = await timed(() => runAction(inputs));
  await sh('docker', ['push', ref]);
  await sh('docker', ['image', 'rm', ref]);
  const cached = await timed(() => runAction({ ...inputs, 'cache-from': '{{ref}}' }));
  if (process.env.KX_BENCH_DEBUG) console.log(cached.out);
  const reused = (cached.out.match(/Using cache/g) ?? []).length;
  const coldReused = (cold.out.match(/Using cache/g) ?? []).length;
  const f = (s) => `${s.toFixed(2)} s`;
  console.log('action-build-images build cache: example processing image (otsus-method), classic builder');
  console.log(`  (a) cold build                                   ${f(cold.s)}   (${coldReused} steps from cache)`);
  console.log(
    `  (b) rebuild after docker rmi, cache-from pushed  ${f(cached.s)}   (${reused} steps from cache, pull included)   ${(cached.s / cold.s).toFixed(3)}× of (a)`,
  );
  console.log(
    JSON.stringify({
      bench: 'build-cache',
      cold: cold.s,
      cached: cached.s,
      ratio: cached.s / cold.s,
      reusedSteps: reused,
    }),
  );
} finally {
  await sh('docker', ['image', 'rm', '--force', ref]).catch(() => {});
  rmSync(work, { recursive: true, force: true });
}

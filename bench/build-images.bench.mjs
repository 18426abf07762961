#!/usr/bin/env node
// Benchmark of action-build-images (run by `npm run bench`, inside scripts/with-services.sh).
// N independent images, each with real CPU work in a RUN step (sha256 of zeros with busybox), built:
//   (a) one after another with plain `docker build` (sequential baseline),
//   (b) with the same `docker build` commands started by hand, two at a time (practical limit on 2 cores),
//   (c) by the bundled action with parallel: 2 and push: false — target within 5 % of (b); the same
//       `docker build` work as (b), so oci-labels: false (with the classic builder each `--label` set
//       is one more committed step, ~0.6 s per image here),
//   (c') the same with the OCI labels on (the action's default), to show what they cost,
// then (d) the action cold with push, and (e) its no-op rerun with skip-existing — target ≤ 0.1× (d).
// Every trial uses fresh Dockerfile content so the build cache never answers.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const N = Number(process.env.KX_BENCH_IMAGES ?? 6);
const MB = Number(process.env.KX_BENCH_WORK_MB ?? 600);
const registry = process.env.KX_REGISTRY ?? '127.0.0.1:5000';
const env = { ...process.env, DOCKER_BUILDKIT: '0' };

function sh(cmd, args, extraEnv = {}) {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) =>
      code === 0 ? res(out) : rej(new Error(`${cmd} ${args.join(' ')} → ${code}\n${out.slice(-2000)}`)),
    );
  });
}

async function pool(items, limit, fn) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (queue.length) await fn(queue.shift());
    }),
  );
}

const base = mkdtempSync(join(tmpdir(), 'kx-bench-'));
let trial = 0;
/** A fresh extension tree: a local-only busybox base and N images FROM it, unique per trial. */
function tree() {
  const dir = join(base, `t${++trial}`);
  const nonce = `${Date.now()}-${trial}`;
  mkdirSync(join(dir, 'base'), { recursive: true });
  copyFileSync('/bin/busybox', join(dir, 'base/busybox'));
  writeFileSync(
    join(dir, 'base/Dockerfile'),
    `FROM scratch\nLABEL REGISTRY="local-only"\nLABEL IMAGE="kx-bench-base"\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\n`,
  );
  const images = [];
  for (let i = 0; i < N; i++) {
    const name = `kx-bench-${i}`;
    mkdirSync(join(dir, name));
    writeFileSync(
      join(dir, name, 'Dockerfile'),
      `FROM local-only/kx-bench-base:latest\nLABEL IMAGE="${name}"\nRUN echo ${nonce} && head -c ${MB}000000 /dev/zero | sha256sum > /sum\n`,
    );
    images.push({ name, dir: join(dir, name) });
  }
  return { dir, images };
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function runAction(inputs) {
  const e = {};
  for (const [k, v] of Object.entries(inputs)) e[`INPUT_${k.toUpperCase()}`] = v;
  return sh(process.execPath, [join(root, 'action-build-images/dist/index.js')], e);
}

const docker = (t, img) => sh('docker', ['build', '-q', '-t', `kx-bench/${img.name}:t${trial}`, img.dir]);

// The base image is built once (not timed) for the hand-run baselines.
const warm = tree();
await sh('docker', ['build', '-q', '-t', 'local-only/kx-bench-base:latest', join(warm.dir, 'base')]);

const results = {};
{
  const t = tree();
  results.sequential = await timed(async () => {
    for (const img of t.images) await docker(t, img);
  });
}
{
  const t = tree();
  results.handParallel = await timed(() => pool(t.images, 2, (img) => docker(t, img)));
}
/** The bundled action on a fresh tree, parallel 2, no push; `extra` adds inputs. */
const actionNoPush = (extra = {}) => {
  const t = tree();
  const inputs = { context: t.dir, registry: `${registry}/kx-bench`, version: '0.1.0', parallel: '2', push: 'false' };
  return timed(() => runAction({ ...inputs, builder: 'classic', ...extra }));
};
results.action = await actionNoPush({ 'oci-labels': 'false' });
results.actionLabels = await actionNoPush();
const runId = Date.now().toString(36);
{
  const t = tree();
  const inputs = {
    context: t.dir,
    registry: `${registry}/kx-bench-${runId}`,
    version: '0.1.0',
    parallel: '2',
    builder: 'classic',
    'skip-existing': 'true',
  };
  results.actionColdPush = await timed(() => runAction(inputs));
  results.actionNoopRerun = await timed(() => runAction(inputs));
}
rmSync(base, { recursive: true, force: true });

const f = (s) => `${s.toFixed(2)} s`;
console.log(`action-build-images benchmark: ${N} images × sha256 of ${MB} MB zeros, 2 cores`);
console.log(`  (a) sequential docker build          ${f(results.sequential)}`);
console.log(
  `  (b) docker build by hand, 2 at once  ${f(results.handParallel)}   ${(results.sequential / results.handParallel).toFixed(2)}× faster than (a)`,
);
console.log(
  `  (c) action, parallel 2, no push      ${f(results.action)}   ${(results.action / results.handParallel).toFixed(3)}× of (b) (target ≤ 1.05)`,
);
console.log(
  `  (c') the same with OCI labels        ${f(results.actionLabels)}   ${(results.actionLabels / results.handParallel).toFixed(3)}× of (b) (the labels' cost, informational)`,
);
console.log(`  (d) action cold build + push         ${f(results.actionColdPush)}`);
console.log(
  `  (e) action rerun, skip-existing      ${f(results.actionNoopRerun)}   ${(results.actionNoopRerun / results.actionColdPush).toFixed(3)}× of (d) (target ≤ 0.1)`,
);
console.log(JSON.stringify({ bench: 'build-images', ...results }));

#!/usr/bin/env node
// Benchmark of action-install-extension's image upload (issue 15): a 200 MB image tar sent with
// kube-helm's chunked protocol (`/file_chunks_init` + `/file_chunks`, 16 MiB chunks, the action's
// default) to the Kaapana 0.6.0 platform simulator's ingress (test/kaapana-platform, bearer token),
// once through our client (@kaapana-ext/core/platform KubeHelmClient.uploadChunks, file read
// included) and once with `curl` (one process, `--next` per chunk, the chunks pre-split with `split`
// outside the timing), same endpoint, same run, alternating rounds; prints MB/s and the ratio.
// The simulator runs in a child process so that it does not share our client's event loop. The
// 200 MB tar is created in a temp dir and removed afterwards.
//   node bench/install-upload.bench.mjs [rounds]      (needs `npm run build` for packages/core/lib)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const { KubeHelmClient, PlatformHttp } = await import(
  pathToFileURL(join(root, 'packages/core/lib/platform/index.js')).href
);
const rounds = Number(process.argv[2] ?? process.env.KX_BENCH_ROUNDS ?? 3);
const SIZE = 200 * 1024 * 1024;
const CHUNK = 16 * 1024 * 1024;
const NAME = 'kx-bench-image.tar';
const work = mkdtempSync(join(tmpdir(), 'kx-bench-upload-'));

/** A 200 MB `docker save`-sized tar: one random (incompressible) 200 MB member. */
function makeTar() {
  const blob = join(work, 'layer.bin');
  const fd = openSync(blob, 'w');
  for (let done = 0; done < SIZE; done += 8 << 20) writeSync(fd, randomBytes(Math.min(8 << 20, SIZE - done)));
  closeSync(fd);
  execFileSync('tar', ['cf', NAME, 'layer.bin'], { cwd: work });
  rmSync(blob);
  return join(work, NAME);
}

/** The simulator in its own process; resolves with its ingress URL, token and extensions dir. */
function startPlatform() {
  const code = `
    import { startKaapanaPlatform } from ${JSON.stringify(pathToFileURL(join(root, 'test/kaapana-platform/index.mjs')).href)};
    import { addUploadRoutes } from ${JSON.stringify(pathToFileURL(join(root, 'test/kaapana-platform/upload-routes.mjs')).href)};
    const p = await startKaapanaPlatform({ generation: '0.6.0' });
    addUploadRoutes(p);
    console.log(JSON.stringify({ url: p.url, token: p.token, extensionsDir: p.extensionsDir }));
    process.stdin.on('end', async () => { await p.close(); process.exit(0); });
    process.stdin.resume();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((res, rej) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) res({ child, ...JSON.parse(out.split('\n')[0]) });
    });
    child.on('exit', (c) => rej(new Error(`simulator exited with ${c}`)));
  });
}

async function ours(platform, tar) {
  const http = new PlatformHttp({
    baseUrl: `${platform.url}/kube-helm-api`,
    headers: () => ({ authorization: `Bearer ${platform.token}` }),
  });
  try {
    const t = performance.now();
    const data = await readFile(tar);
    await new KubeHelmClient(http, '0.6.0').uploadChunks(NAME, data, CHUNK);
    return performance.now() - t;
  } finally {
    http.close();
  }
}

function curlArgs(platform, parts) {
  const base = `${platform.url}/kube-helm-api`;
  const auth = ['-H', `Authorization: Bearer ${platform.token}`];
  const init = JSON.stringify({
    name: NAME,
    fileSize: statSync(join(work, NAME)).size,
    chunkSize: CHUNK,
    index: 0,
    endIndex: parts.length,
  });
  const args = [
    '-sS',
    '--fail',
    '-o',
    '/dev/null',
    ...auth,
    '-H',
    'Content-Type: application/json',
    '--data',
    init,
    `${base}/file_chunks_init`,
  ];
  for (const p of parts)
    args.push(
      '--next',
      '-sS',
      '--fail',
      '-o',
      '/dev/null',
      ...auth,
      '-F',
      `file=@${p};type=application/octet-stream;filename=${NAME}`,
      `${base}/file_chunks`,
    );
  return args;
}

function viaCurl(args) {
  const t = performance.now();
  const r = spawnSync('curl', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`curl exited with ${r.status}`);
  return performance.now() - t;
}

function check(platform, label) {
  const size = statSync(join(platform.extensionsDir, NAME)).size;
  if (size !== statSync(join(work, NAME)).size)
    throw new Error(`${label}: the platform holds ${size} bytes, not the whole tar`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let platform;
try {
  const tar = makeTar();
  execFileSync('split', ['-b', String(CHUNK), '-d', '-a', '3', NAME, 'part-'], { cwd: work });
  const parts = readdirSync(work)
    .filter((f) => f.startsWith('part-'))
    .sort()
    .map((f) => join(work, f));
  platform = await startPlatform();
  const args = curlArgs(platform, parts);
  const t = { ours: [], curl: [] };
  await ours(platform, tar); // warm-up of both paths
  viaCurl(args);
  for (let r = 0; r < rounds; r++) {
    t.ours.push(await ours(platform, tar));
    check(platform, 'ours');
    t.curl.push(viaCurl(args));
    check(platform, 'curl');
  }
  const mb = statSync(tar).size / 1e6;
  const row = (label, ms) =>
    `${label.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${(mb / (ms / 1000)).toFixed(0).padStart(5)} MB/s`;
  console.log(
    `upload of a ${mb.toFixed(0)} MB image tar, ${parts.length} chunks of ${CHUNK >> 20} MiB, to the simulator's /kube-helm-api (median of ${rounds})`,
  );
  console.log(row('our client (KubeHelmClient)', median(t.ours)));
  console.log(row('curl --next (pre-split chunks)', median(t.curl)));
  console.log(`ratio ours / curl: ${(median(t.ours) / median(t.curl)).toFixed(2)} (time; < 1 = faster than curl)`);
} finally {
  platform?.child.stdin.end();
  rmSync(work, { recursive: true, force: true });
}

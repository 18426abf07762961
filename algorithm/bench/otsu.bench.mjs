#!/usr/bin/env node
// Benchmark of the algorithm package (`npm run bench`, or `node algorithm/bench/otsu.bench.mjs`):
// 1. Otsu (histogram + threshold + mask) on a synthetic 512×512×300 int16 volume, in shared memory (as our
//    readers allocate large volumes: two threads) and in a plain ArrayBuffer (as itk-wasm hands images over);
// 2. read + Otsu + write mask.nrrd of the largest sample series (by bytes: test/data/series/mr-mosaic-b0dwi,
//    5.5 Mvoxel; the target applies here) and of the smallest multi-file one (mr-siemens-2slice, 2×256²,
//    which shows the fixed per-call cost);
// 3. cold per-series runs: fresh processes of the container app (bundle, size measured) on series/ct5n,
//    full and mask-only, against fresh ITK reference processes (targets ≤ 0.4 s and ≤ 3×), wall and CPU
//    time, with node's own floor (`node -e 0`, and the CLI bundle loaded only) in the same runs;
// 4. a summary of the targets' figures at the end.
// Baseline in the same run: the ITK 5.2 C++ reference (algorithm/reference, OtsuThresholdImageFilter,
// GDCM series reader, NRRDImageIO with compression), built on demand (Debian's ITK installed with apt
// when missing and possible).
// Prints median times, peak memory and the ratios against ITK (targets: Otsu ≤ 0.05×, with the memory floor; read+Otsu+write
// ≤ 1.5×) with cold, early and steady figures for read+Otsu+write. Builds the TypeScript first when algorithm/lib is missing.
// BENCH_REPEAT (default 5), BENCH_WARMUP (read+Otsu+write runs before the steady figure, both sides, default 50),
// BENCH_SIZE (WxHxD).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const algorithm = join(here, '..');
const lib = join(algorithm, 'lib', 'index.js');
if (!existsSync(lib)) {
  console.log('building the TypeScript (npm run build) …');
  execFileSync('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: join(algorithm, '..'), stdio: 'inherit' });
}
const { otsuMask, readVolumes, writeNrrdAtomic, maskImage, allocateVolumeArray } = await import(lib);

const repeat = Number(process.env.BENCH_REPEAT ?? 5);
const warmup = Math.max(Number(process.env.BENCH_WARMUP ?? 50), repeat + 1);
const sizeSpec = process.env.BENCH_SIZE ?? '512x512x300';
const [W, H, D] = sizeSpec.split('x').map(Number);
const seriesRoot = join(algorithm, 'test', 'data', 'series');
const dirBytes = (d) => readdirSync(d).reduce((n, f) => n + statSync(join(d, f)).size, 0);
const bySize = readdirSync(seriesRoot)
  .map((d) => join(seriesRoot, d))
  .sort((a, b) => dirBytes(b) - dirBytes(a));
const largestSeries = bySize[0];
const smallSeries = join(seriesRoot, 'mr-siemens-2slice');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;
const mib = (x) => `${(x / 2 ** 20).toFixed(0)} MiB`;
let peakRss = 0;
const sampleMem = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

/** The same xorshift32 disc-on-noise volume as `itk-otsu --synthetic`. */
function synthetic(w, h, d, allocate) {
  const a = allocate(w * h * d);
  let s = 2463534242 >>> 0;
  let i = 0;
  for (let z = 0; z < d; z++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++, i++) {
        s ^= s << 13;
        s >>>= 0;
        s ^= s >>> 17;
        s ^= s << 5;
        s >>>= 0;
        const dx = x - (w >> 1),
          dy = y - (h >> 1);
        a[i] = ((dx * dx + dy * dy) * 9 < w * w ? 1200 : -800) + (s & 511) - 256;
      }
  return a;
}

// The ITK reference is built here when missing; build.sh installs Debian's ITK 5.2.1 with apt when it
// can (INSTALL_DEPS=1 unless the caller set it), so a fresh machine gets the baseline too.
function itkBinary() {
  const built = join(algorithm, 'reference', 'build', 'itk-otsu');
  if (existsSync(built)) return built;
  console.log('building the ITK 5.2.1 reference (algorithm/reference/build.sh) …');
  const r = spawnSync(join(algorithm, 'reference', 'build.sh'), {
    env: { ...process.env, INSTALL_DEPS: process.env.INSTALL_DEPS ?? '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status === 0) return r.stdout.toString().trim().split('\n').pop();
  console.log(
    `  ITK reference build failed (exit ${r.status}): ${r.stderr.toString().trim().split('\n').slice(-3).join(' | ')}`,
  );
  return undefined;
}
const itk = itkBinary();
const runItk = (args) => JSON.parse(execFileSync(itk, args, { maxBuffer: 1 << 26 }).toString());

// Two layouts of the same voxels: shared memory, as kaapana-otsu's own DICOM/NRRD readers allocate
// large volumes (histogram and mask pass split over two threads), and a plain ArrayBuffer, as images
// decoded by itk-wasm arrive (one thread; a helper thread only faults in the mask's pages).
// Same-run ratios only mean something on a quiet machine: the load is printed with them.
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
console.log(`machine: ${cpus().length} cores, load average ${load()} (1/5/15 min) at start`);
console.log(`Otsu on a synthetic ${sizeSpec} int16 volume (${repeat} runs each, median)`);
const layouts = [
  ['shared (own readers)', (n) => allocateVolumeArray(Int16Array, n)],
  ['plain (itk-wasm)    ', (n) => new Int16Array(n)],
];
const otsuResults = [];
let volumeBytes = 0,
  volumeVoxels = 0;
for (const [label, allocate] of layouts) {
  let volume = synthetic(W, H, D, allocate);
  volumeBytes = volume.byteLength;
  volumeVoxels = volume.length;
  sampleMem();
  const times = [];
  let result;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    result = otsuMask(volume);
    times.push(performance.now() - t0);
    sampleMem();
  }
  const t = median(times);
  otsuResults.push({ label, t, threshold: result.threshold });
  console.log(
    `  kaapana-otsu, ${label}  ${ms(t)}  (${(volumeVoxels / t / 1e3).toFixed(0)} Mvoxel/s, threshold ${result.threshold}; runs ${times.map((x) => x.toFixed(0)).join(' ')} ms)`,
  );
  volume = undefined;
  result = undefined;
}
let floorMs = 0;
let floorRatio;
// The floor: a plain memory pass over the same bytes, on one thread: read every byte of the volume
// once (32-bit loads into four sums, a loop TurboFan has compiled: warmed up first, as an unwarmed
// loop runs ~7× slower) and write every byte of a fresh mask once (fill). Otsu needs at least this
// (in fact two reads: the histogram before the threshold, the mask after it). The fresh mask's
// first-touch page faults are shown apart (a fill of the same size into memory touched before):
// on a VM they can cost more than all the reading and writing.
const readAll = (words) => {
  let a = 0,
    b = 0,
    c = 0,
    d = 0;
  const end = words.length & ~3;
  for (let i = 0; i < end; i += 4) {
    a = (a + words[i]) | 0;
    b = (b + words[i + 1]) | 0;
    c = (c + words[i + 2]) | 0;
    d = (d + words[i + 3]) | 0;
  }
  return a ^ b ^ c ^ d;
};
{
  const volume = synthetic(W, H, D, (n) => new Int16Array(n));
  const words = new Int32Array(volume.buffer);
  const warm = words.subarray(0, 1 << 16);
  let sink = 0;
  for (let r = 0; r < 200; r++) sink ^= readAll(warm);
  const reused = new Uint8Array(volume.length);
  reused.fill(0);
  const runs = { read: [], write: [], rewrite: [], total: [] };
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    sink ^= readAll(words);
    const t1 = performance.now();
    const mask = new Uint8Array(volume.length);
    mask.fill(1);
    const t2 = performance.now();
    reused.fill(r & 1);
    const t3 = performance.now();
    sink ^= mask[mask.length - 1] ^ reused[0];
    runs.read.push(t1 - t0);
    runs.write.push(t2 - t1);
    runs.rewrite.push(t3 - t2);
    runs.total.push(t2 - t0);
  }
  const floor = median(runs.total);
  floorMs = floor;
  console.log(
    `  memory floor (read volume + write a fresh mask once, 1 thread)  ${ms(floor)}  (runs ${runs.total.map((x) => x.toFixed(0)).join(' ')} ms${sink === 0.5 ? ' ' : ''})`,
  );
  console.log(
    `    of it: read ${ms(median(runs.read))}, write the fresh mask ${ms(median(runs.write))} ` +
      `(the same fill into touched memory: ${ms(median(runs.rewrite))}; the rest is first-touch page faults)`,
  );
  for (const r of otsuResults) console.log(`  ${r.label}: ${(r.t / floor).toFixed(2)}× the floor`);
}
if (itk) {
  const ref = runItk(['--synthetic', sizeSpec, '--repeat', String(repeat)]);
  const itkOtsu = median(ref.otsuMs);
  const same = otsuResults.every((r) => r.threshold === ref.threshold);
  console.log(
    `  ITK ${ref.itkVersion} C++                          ${ms(itkOtsu)}  (threshold ${ref.threshold}${same ? ', same' : ', DIFFERENT'}; runs ${ref.otsuMs.map((x) => x.toFixed(0)).join(' ')} ms)`,
  );
  for (const r of otsuResults) {
    r.ratio = r.t / itkOtsu;
    console.log(`  ratio, ${r.label}         ${r.ratio.toFixed(3)}× ITK  (target ≤ 0.05×)`);
  }
  floorRatio = floorMs / itkOtsu;
  console.log(`  ratio, memory floor                 ${floorRatio.toFixed(3)}× ITK`);
} else {
  console.log('  ITK baseline   unavailable (no libinsighttoolkit5-dev; see algorithm/reference/build.sh)');
}
// The series part runs without the synthetic volume and mask alive (ITK runs it in its own process).

// Three figures, the same runs on both sides (ITK runs its read, Otsu and write warmup + repeat times):
// cold = the first run in the process (ours includes JIT warm-up and, for compressed DICOM, the wasm
// decompress + compile; ITK's its first-use initialisation); early = runs 2…repeat+1; steady = the
// `repeat` runs after `warmup` runs. Median each; process start (node, ITK's shared libraries) and
// module loading are excluded on both sides. The DICOM reader (native TypeScript or itk-wasm) is
// reported per series.
async function seriesBench(series, warmupRuns, target) {
  const name = series.split('/').slice(-2).join('/');
  let ratio;
  const tmp = mkdtempSync(join(tmpdir(), 'kx-otsu-bench-'));
  try {
    const runs = [];
    let size = '';
    for (let r = 0; r < warmupRuns + repeat; r++) {
      const t0 = performance.now();
      const [v] = await readVolumes(series);
      size = v.image.size.join('×');
      const m = otsuMask(v.image.data);
      await writeNrrdAtomic(maskImage(v.image, m.mask), join(tmp, 'mask.nrrd'));
      runs.push(performance.now() - t0);
      sampleMem();
    }
    console.log(
      `\nread + Otsu + write mask.nrrd (gzip) of ${name} (${size}, ${(dirBytes(series) / 2 ** 20).toFixed(1)} MiB of DICOM; ` +
        `in-process on both sides, process start excluded; medians of ${repeat} runs)`,
    );
    const figures = (xs) => ({
      cold: xs[0],
      early: median(xs.slice(1, repeat + 1)),
      steady: median(xs.slice(warmupRuns)),
    });
    const row = (f) =>
      `cold ${ms(f.cold).padStart(9)}   early ${ms(f.early).padStart(8)}   steady ${ms(f.steady).padStart(8)}`;
    const js = figures(runs);
    console.log(`  kaapana-otsu   ${row(js)}`);
    if (itk) {
      const ref = runItk([series, '--repeat', String(warmupRuns + repeat), '--write-nrrd', join(tmp, 'itk.nrrd')]);
      const c = figures(ref.readMs.map((x, i) => x + ref.otsuMs[i] + ref.writeMs[i]));
      console.log(`  ITK ${ref.itkVersion} C++    ${row(c)}`);
      const q = (k) => `${(js[k] / c[k]).toFixed(2)}×`;
      ratio = js.cold / c.cold;
      console.log(
        `  ratio          cold ${q('cold').padStart(9)}   early ${q('early').padStart(8)}   steady ${q('steady').padStart(8)}   ${target}`,
      );
    }
    console.log(`  (cold: first run in the process; early: runs 2–${repeat + 1}; steady: after ${warmupRuns} runs)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return ratio;
}

// The largest series first: its cold run is the process's first DICOM read, as in a container.
const largestRatio = await seriesBench(largestSeries, Math.min(warmup, 10), '(target ≤ 1.5×)');

// Cold per-series runs, what a Kaapana operator pays (one container start per series): a fresh
// `node kaapana-otsu.js` process of the container app (built here by container/build-app.mjs, its size
// measured) on series/ct5n, full (mask + SEG + report) and --mask-only, against a fresh ITK reference
// process reading the series and writing the NRRD mask. Wall time of the whole process each, and its
// CPU time (user + sys, from the kernel's account of finished children: /proc/self/stat), which a
// loaded machine disturbs far less than wall time. Node's own floor in the same run: `node -e 0`
// (start and exit) and `kaapana-otsu.js --version` (start, load and compile the CLI bundle, exit).
const coldFigures = {};
{
  const { buildApp, APP_SIZE_LIMIT } = await import(join(algorithm, 'container', 'build-app.mjs'));
  const tmp = mkdtempSync(join(tmpdir(), 'kx-otsu-bench-cold-'));
  try {
    const { bytes } = await buildApp(join(tmp, 'app'));
    const series = join(seriesRoot, 'ct5n');
    const app = join(tmp, 'app', 'kaapana-otsu.js');
    const coldRepeat = Math.max(repeat, 7);
    // CPU time of finished children in ms (utime + stime, fields 16-17 after the command name), or
    // undefined where there is no /proc. Clock ticks: 10 ms resolution, so the mean over all runs is given.
    const childCpu = () => {
      try {
        const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
        return ((Number(f[13]) + Number(f[14])) * 1000) / 100;
      } catch {
        return undefined;
      }
    };
    const kinds = {
      nodeFloor: ['node -e 0 (start + exit)', process.execPath, ['-e', '0']],
      loadOnly: ['kaapana-otsu.js --version (load only)', process.execPath, [app, '--version']],
      full: ['kaapana-otsu, mask + SEG + report', process.execPath, [app, '--input', series, '--quiet']],
      maskOnly: ['kaapana-otsu, --mask-only', process.execPath, [app, '--input', series, '--quiet', '--mask-only']],
      ...(itk ? { itk: ['ITK reference process, mask', itk, [series, '--write-nrrd']] } : {}),
    };
    const runs = Object.fromEntries(Object.keys(kinds).map((k) => [k, { wall: [], cpu: 0 }]));
    // Interleaved, so that load from other processes hits all of them alike.
    for (let r = 0; r < coldRepeat; r++) {
      for (const [key, [, cmd, base]] of Object.entries(kinds)) {
        const out = join(tmp, `out-${key}-${r}`);
        const args =
          key === 'itk'
            ? [...base, `${out}.nrrd`]
            : key === 'full' || key === 'maskOnly'
              ? [...base, '--output', out]
              : base;
        const c0 = childCpu();
        const t0 = performance.now();
        const p = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        runs[key].wall.push(performance.now() - t0);
        runs[key].cpu += (childCpu() ?? NaN) - (c0 ?? NaN);
        if (p.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${p.stderr}`);
      }
    }
    const cpuOf = (key) => runs[key].cpu / coldRepeat;
    const spread = (xs) =>
      `wall median ${ms(median(xs)).padStart(9)}, min ${ms(Math.min(...xs)).padStart(9)}, max ${ms(Math.max(...xs)).padStart(9)}`;
    console.log(
      `\ncold per-series run: fresh process on series/ct5n (${coldRepeat} runs each, interleaved; load ${load()})`,
    );
    console.log(
      `  container app (bundle + wasm pipelines): ${(bytes / 1e6).toFixed(1)} MB  (limit ${APP_SIZE_LIMIT / 1e6} MB)`,
    );
    for (const [key, [label]] of Object.entries(kinds)) {
      const cpu = cpuOf(key);
      console.log(
        `  ${label.padEnd(40)} ${spread(runs[key].wall)}   CPU ${Number.isNaN(cpu) ? 'n/a' : ms(cpu)} (mean)`,
      );
    }
    coldFigures.full = median(runs.full.wall);
    coldFigures.fullCpu = cpuOf('full');
    coldFigures.aboveFloorCpu = cpuOf('full') - cpuOf('nodeFloor');
    if (itk) {
      coldFigures.maskRatio = median(runs.maskOnly.wall) / median(runs.itk.wall);
      coldFigures.maskCpuRatio = cpuOf('maskOnly') / cpuOf('itk');
      console.log(
        `  ratio, mask only                         ${coldFigures.maskRatio.toFixed(2)}× ITK wall, ${coldFigures.maskCpuRatio.toFixed(2)}× ITK CPU  (target ≤ 3×)`,
      );
    }
    console.log(
      `  full run above node's floor              CPU ${ms(coldFigures.aboveFloorCpu)} (of ${ms(coldFigures.fullCpu)}; ` +
        `node -e 0 alone ${ms(cpuOf('nodeFloor'))}, loading the CLI ${ms(cpuOf('loadOnly') - cpuOf('nodeFloor'))} more)`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
await seriesBench(smallSeries, warmup, '(fixed per-call cost; informational)');
console.log(`\nload average ${load()} at the end`);
// The goals of issue 19 (item 3) in one place, each a figure of this run.
const x = (v, d = 2) => (v === undefined || Number.isNaN(v) ? 'n/a (no ITK baseline)' : `${v.toFixed(d)}× ITK`);
console.log('summary (same-run figures; on a loaded machine trust the CPU figures over wall time):');
for (const r of otsuResults)
  console.log(
    `  Otsu pass ${sizeSpec} int16, ${r.label}  ${x(r.ratio, 3)}  (target ≤ 0.05×; memory floor ${x(floorRatio, 3)})`,
  );
console.log(
  `  cold run, mask + SEG + report (ct5n)      ${ms(coldFigures.full)} wall, CPU ${ms(coldFigures.fullCpu)}, ` +
    `${ms(coldFigures.aboveFloorCpu)} of it above node -e 0  (target ≤ 400 ms)`,
);
console.log(
  `  cold run, mask only (ct5n)                ${x(coldFigures.maskRatio)} wall, ${x(coldFigures.maskCpuRatio)} CPU  (target ≤ 3×)`,
);
console.log(`  read + Otsu + write, largest series, cold ${x(largestRatio)}  (target ≤ 1.5×)`);
console.log(`peak RSS ${mib(peakRss)} (synthetic volume ${mib(volumeBytes)} + mask ${mib(volumeVoxels)})`);

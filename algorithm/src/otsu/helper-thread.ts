// The one background thread of the Otsu filter (ITK's filter is multi-threaded; the machines this
// runs on have at least two cores): it faults in the pages of a fresh mask (prefault.ts) and, for
// images in shared memory, takes chunks of the histogram count and of the mask pass (parallel.ts).
// Owns the worker, its source and the chunk protocol; knows nothing of ITK's arithmetic.
//
// Chunk protocol (a shared Int32Array `ctl` per job): both threads claim chunk indices with
// Atomics.add(ctl[NEXT]) until they run out and count finished chunks in ctl[FINISHED]; the caller
// waits until every chunk is finished. A worker that is slow to start simply gets no chunks (the
// caller does them all), so the caller never waits on a worker that is not working. The worker
// counts into its own table; it marks ctl[WORKER_TABLE] before writing it (after claiming its first
// chunk), so the caller merges it only when it was used. Jobs never overlap: the caller returns only
// when all chunks of a job are finished.
//
// After every job the worker collects its own (tiny) heap: its handles on the shared buffers would
// otherwise keep masks and volumes alive until the idle worker happened to collect. `gc` comes from
// V8's --expose-gc, set at run time (worker execArgv refuses V8 flags); without it the worker stops
// and everything runs on the calling thread.
import { Worker } from 'node:worker_threads';

export const NEXT = 0;
export const FINISHED = 1;
export const WORKER_TABLE = 2;
export const CTL_LENGTH = 3;

/** Prefault states (prefault.ts). */
export const PENDING = 0;
export const RUNNING = 1;
export const STOP = 2;
export const DONE = 3;

// Plain CommonJS for `new Worker(..., { eval: true })`: no file to resolve from src/, lib/ or a bundle.
// The loops are the ones in parallel.ts (one monomorphic loop per pixel type); the parallel tests
// compare both threads' results with the single-threaded ones.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
require('node:v8').setFlagsFromString('--expose-gc');
const collect = require('node:vm').runInNewContext('gc');
if (typeof collect !== 'function') throw new Error('no gc');

function prefault(job) {
  const st = new Int32Array(job.state);
  if (Atomics.compareExchange(st, 0, ${PENDING}, ${RUNNING}) !== ${PENDING}) return;
  const bytes = new Uint8Array(job.buffer);
  const page = job.page, check = page * 64;
  for (let p = 0; p < bytes.length; p += page) {
    if (p % check === 0 && Atomics.load(st, 0) === ${STOP}) break;
    bytes[p] = 0;
  }
  Atomics.store(st, 0, ${DONE});
  Atomics.notify(st, 0);
}

function view(job) {
  const C = { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array }[job.type];
  return new C(job.data, job.byteOffset, job.length);
}

function countInt16(d, t0, t1, s, e) {
  for (let i = s; i < e; i += 2) { const a = d[i] + 32768, b = d[i + 1] + 32768; t0[a]++; t1[b]++; }
}
function countUint16(d, t0, t1, s, e) {
  for (let i = s; i < e; i += 2) { const a = d[i], b = d[i + 1]; t0[a]++; t1[b]++; }
}
function countBytes(d, off, t0, t1, s, e) {
  for (let i = s; i < e; i += 2) { const a = d[i] + off, b = d[i + 1] + off; t0[a]++; t1[b]++; }
}
function maskInt16(d32, o32, t, s, e) {
  for (let j = s; j < e; j++) {
    const x = d32[2 * j], y = d32[2 * j + 1];
    o32[j] = ((t - ((x << 16) >> 16)) >>> 31) | (((t - (x >> 16)) >>> 31) << 8) |
      (((t - ((y << 16) >> 16)) >>> 31) << 16) | (((t - (y >> 16)) >>> 31) << 24);
  }
}
function maskUint16(d32, o32, t, s, e) {
  for (let j = s; j < e; j++) {
    const x = d32[2 * j], y = d32[2 * j + 1];
    o32[j] = ((t - (x & 0xffff)) >>> 31) | (((t - (x >>> 16)) >>> 31) << 8) |
      (((t - (y & 0xffff)) >>> 31) << 16) | (((t - (y >>> 16)) >>> 31) << 24);
  }
}
function maskAny(d, out, t, inside, diff, s, e) {
  for (let i = s; i < e; i++) out[i] = inside + ((t - d[i]) >>> 31) * diff;
}

function chunks(job, run) {
  const ctl = new Int32Array(job.ctl);
  const { chunk, length } = job;
  const total = Math.ceil(length / chunk);
  let first = true;
  for (let c = Atomics.add(ctl, ${NEXT}, 1); c < total; c = Atomics.add(ctl, ${NEXT}, 1)) {
    if (first) { first = false; run.start(); }
    run.range(c * chunk, Math.min(length, (c + 1) * chunk));
    Atomics.add(ctl, ${FINISHED}, 1);
    Atomics.notify(ctl, ${FINISHED});
  }
}

function count(job) {
  const d = view(job);
  const half = job.table.byteLength / 8;
  const t0 = new Uint32Array(job.table, 0, half), t1 = new Uint32Array(job.table, half * 4, half);
  const ctl = new Int32Array(job.ctl);
  chunks(job, {
    start() { t0.fill(0); t1.fill(0); Atomics.store(ctl, ${WORKER_TABLE}, 1); },
    range(s, e) {
      if (job.type === 'int16') countInt16(d, t0, t1, s, e);
      else if (job.type === 'uint16') countUint16(d, t0, t1, s, e);
      else countBytes(d, job.offset, t0, t1, s, e);
    },
  });
}

function mask(job) {
  const d = view(job);
  const out = new Uint8Array(job.mask);
  const fast = job.words;
  const d32 = fast ? (job.type === 'int16' ? new Int32Array(job.data, job.byteOffset, job.length >> 1) : new Uint32Array(job.data, job.byteOffset, job.length >> 1)) : null;
  const o32 = fast ? new Uint32Array(job.mask, 0, job.length >> 2) : null;
  const diff = job.outside - job.inside;
  chunks(job, {
    start() {},
    range(s, e) {
      if (fast) (job.type === 'int16' ? maskInt16 : maskUint16)(d32, o32, job.t, s >> 2, e >> 2);
      else maskAny(d, out, job.t, job.inside, diff, s, e);
    },
  });
}

parentPort.on('message', (job) => {
  if (job.kind === 'prefault') prefault(job);
  else if (job.kind === 'count') count(job);
  else if (job.kind === 'mask') mask(job);
  setImmediate(collect);
});
`;

let worker: Worker | undefined;
let failed = false;

/** The helper thread, started on first use; undefined when it cannot run (then work stays local). */
export function helperThread(): Worker | undefined {
  if (worker || failed) return worker;
  try {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.unref();
    const drop = (): void => {
      worker = undefined;
      failed = true;
    };
    w.on('error', drop);
    w.on('exit', drop);
    worker = w;
  } catch {
    failed = true;
  }
  return worker;
}

/** Posts `job` to the helper thread; false when there is none (or posting failed). */
export function postToHelper(job: Record<string, unknown>): boolean {
  const w = helperThread();
  if (!w) return false;
  try {
    w.postMessage(job);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the caller's share of a chunked job: claims chunks until none are left, then waits until the
 * helper has finished the ones it claimed. `range` gets element ranges [start, end). Returns how
 * many chunks there were and how many the helper did.
 */
export function runChunks(
  ctl: Int32Array,
  length: number,
  chunk: number,
  range: (start: number, end: number) => void,
): { chunks: number; byHelper: number } {
  const total = Math.ceil(length / chunk);
  let mine = 0;
  for (let c = Atomics.add(ctl, NEXT, 1); c < total; c = Atomics.add(ctl, NEXT, 1)) {
    range(c * chunk, Math.min(length, (c + 1) * chunk));
    Atomics.add(ctl, FINISHED, 1);
    mine++;
  }
  // Every chunk is claimed; the helper finishes its current one (a chunk takes about a millisecond).
  const deadline = Date.now() + 60_000;
  for (let f = Atomics.load(ctl, FINISHED); f < total; f = Atomics.load(ctl, FINISHED)) {
    if (Date.now() > deadline) throw new Error('the Otsu helper thread stopped in the middle of a chunk');
    Atomics.wait(ctl, FINISHED, f, 50);
  }
  return { chunks: total, byHelper: total - mine };
}

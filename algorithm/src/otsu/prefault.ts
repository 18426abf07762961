// Output buffers for large masks whose memory pages are faulted in by a second thread while the
// caller is still busy (the histogram pass), so the mask pass itself does not stop on page faults.
// A fresh 75 MiB mask costs ~19 000 first-touch faults (kernel page allocation + zeroing, ~25-30 ms
// on this class of machine); ITK's filter runs multi-threaded, and this moves that work to the
// otherwise idle core. The worker only ever sees the output buffer, never the input image.
//
// Why a SharedArrayBuffer, and the two measures that keep its memory in check:
// - Handing a plain ArrayBuffer to the worker and back (transfer) detaches it, and the first detach
//   in a process makes V8 guard every later typed-array loop against detached buffers: the
//   histogram and mask loops then run ~50 % slower for the rest of the process. Sharing detaches
//   nothing.
// - V8 does not count SharedArrayBuffer memory towards its GC heuristics, so a process making masks
//   in a loop would keep them all until an unrelated collection. Each mask therefore carries an
//   untouched plain ArrayBuffer of the same size (`ballast`: counted by V8, never faulted in, so it
//   costs address space, not memory), which makes the GC collect masks as it collects plain ones.
// - The worker's own handle would keep the memory alive too: it runs a collection of its own (tiny)
//   heap after every buffer (`gc` from V8's --expose-gc, set at run time: worker execArgv refuses
//   V8 flags; without it the worker stops and masks are allocated normally).
//
// Protocol (one Int32 state per buffer, shared with the worker):
//   PENDING → (worker starts) RUNNING → DONE, or PENDING → DONE when the caller needs the buffer
//   before the worker got to it; RUNNING → STOP (caller) → DONE (worker, within 64 pages).
// `ready()` returns only when the worker no longer writes to the buffer, so the mask pass and the
// worker never touch the same memory at the same time, and never waits for a worker that has not
// started. The worker is unref'd (never keeps a process alive), started once per process.
import { Worker } from 'node:worker_threads';

/** Buffers smaller than this are allocated normally (their faults cost less than the hand-off). */
export const PREFAULT_MIN_BYTES = 16 * 2 ** 20;

const PENDING = 0;
const RUNNING = 1;
const STOP = 2;
const DONE = 3;

// Plain CommonJS for `new Worker(..., { eval: true })`: no file to resolve from src/, lib/ or a bundle.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
require('node:v8').setFlagsFromString('--expose-gc');
const collect = require('node:vm').runInNewContext('gc');
if (typeof collect !== 'function') throw new Error('no gc');
function touch(buffer, state, page) {
  const st = new Int32Array(state);
  if (Atomics.compareExchange(st, 0, ${PENDING}, ${RUNNING}) !== ${PENDING}) return;
  const bytes = new Uint8Array(buffer);
  const check = page * 64;
  for (let p = 0; p < bytes.length; p += page) {
    if (p % check === 0 && Atomics.load(st, 0) === ${STOP}) break;
    bytes[p] = 0;
  }
  Atomics.store(st, 0, ${DONE});
  Atomics.notify(st, 0);
}
parentPort.on('message', (job) => {
  touch(job.buffer, job.state, job.page);
  setImmediate(collect);
});
`;

let worker: Worker | undefined;
let workerFailed = false;

function prefaultWorker(): Worker | undefined {
  if (worker || workerFailed) return worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    const drop = (): void => {
      worker = undefined;
      workerFailed = true;
    };
    worker.on('error', drop);
    worker.on('exit', drop);
  } catch {
    workerFailed = true;
  }
  return worker;
}

/** Keeps each shared mask's ballast alive exactly as long as the mask's view. */
const ballasts = new WeakMap<Uint8Array, ArrayBuffer>();

/** A zeroed byte buffer plus `ready()`, to be called before the buffer is first written. */
export interface PrefaultedBytes {
  bytes: Uint8Array;
  ready(): void;
}

/**
 * A zeroed `Uint8Array` of `length` bytes. Large ones live in a SharedArrayBuffer whose pages a
 * worker thread touches in the background; call `ready()` before writing to it.
 */
export function allocatePrefaulted(length: number): PrefaultedBytes {
  if (length < PREFAULT_MIN_BYTES) return { bytes: new Uint8Array(length), ready: () => undefined };
  const w = prefaultWorker();
  if (!w) return { bytes: new Uint8Array(length), ready: () => undefined };
  const buffer = new SharedArrayBuffer(length);
  const state = new SharedArrayBuffer(4);
  const st = new Int32Array(state);
  const bytes = new Uint8Array(buffer);
  ballasts.set(bytes, new ArrayBuffer(length));
  w.postMessage({ buffer, state, page: 4096 });
  return {
    bytes,
    ready(): void {
      if (Atomics.compareExchange(st, 0, PENDING, DONE) === PENDING) return;
      Atomics.compareExchange(st, 0, RUNNING, STOP);
      // The worker checks for STOP every 64 pages; the deadline only guards against a worker that
      // died between the two states (it then writes nothing any more).
      const deadline = Date.now() + 10_000;
      while (Atomics.load(st, 0) !== DONE && Date.now() < deadline) Atomics.wait(st, 0, STOP, 100);
    },
  };
}

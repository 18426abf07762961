// The code of the Otsu helper thread (started by helper-thread.ts; messages in helper-protocol.ts):
// faults in the pages of fresh masks (prefault.ts) and takes chunks of the histogram count and of the
// mask pass of images in shared memory (parallel.ts), with the same loops as the calling thread
// (kernels.ts), so both threads' results are identical by construction.
//
// Memory: every job arrives with fresh handles on shared buffers (volumes of 100+ MiB, masks), which
// keep them alive until this thread's GC drops them. This thread allocates almost nothing, so its GC
// would rarely run; each job therefore carries a plain ArrayBuffer as large as the shared buffers it
// names (never touched, so it costs address space, not memory; shared-memory.ts does the same on the
// calling thread). V8 counts that allocation and collects the job's handles along with it.
import { parentPort } from 'node:worker_threads';
import {
  DONE,
  FINISHED,
  NEXT,
  PENDING,
  RUNNING,
  STOP,
  WORKER_TABLE,
  type CountJob,
  type HelperJob,
  type MaskJob,
  type PrefaultJob,
} from './helper-protocol.js';
import { countPairs, maskRange, maskWords, type SmallIntArray } from './kernels.js';

function prefault(job: PrefaultJob): void {
  const st = new Int32Array(job.state);
  if (Atomics.compareExchange(st, 0, PENDING, RUNNING) !== PENDING) return;
  const bytes = new Uint8Array(job.buffer);
  const check = job.page * 64;
  for (let p = 0; p < bytes.length; p += job.page) {
    if (p % check === 0 && Atomics.load(st, 0) === STOP) break;
    bytes[p] = 0;
  }
  Atomics.store(st, 0, DONE);
  Atomics.notify(st, 0);
}

function voxels(job: CountJob | MaskJob): SmallIntArray {
  const { data, byteOffset, length } = job;
  if (job.type === 'int16') return new Int16Array(data, byteOffset, length);
  if (job.type === 'uint16') return new Uint16Array(data, byteOffset, length);
  return job.type === 'int8' ? new Int8Array(data, byteOffset, length) : new Uint8Array(data, byteOffset, length);
}

/** Claims chunks of `job` until none are left; `start` runs before the first one this thread takes. */
function claimChunks(job: CountJob | MaskJob, start: () => void, range: (s: number, e: number) => void): void {
  const ctl = new Int32Array(job.ctl);
  const total = Math.ceil(job.length / job.chunk);
  let first = true;
  for (let c = Atomics.add(ctl, NEXT, 1); c < total; c = Atomics.add(ctl, NEXT, 1)) {
    if (first) {
      first = false;
      start();
    }
    range(c * job.chunk, Math.min(job.length, (c + 1) * job.chunk));
    Atomics.add(ctl, FINISHED, 1);
    Atomics.notify(ctl, FINISHED);
  }
}

function count(job: CountJob): void {
  const d = voxels(job);
  const half = job.table.byteLength / 8;
  const t0 = new Uint32Array(job.table, 0, half);
  const t1 = new Uint32Array(job.table, half * 4, half);
  claimChunks(
    job,
    () => {
      t0.fill(0);
      t1.fill(0);
      Atomics.store(new Int32Array(job.ctl), WORKER_TABLE, 1);
    },
    (s, e) => countPairs(d, job.offset, t0, t1, s, e),
  );
}

function mask(job: MaskJob): void {
  const d = voxels(job);
  const out = new Uint8Array(job.mask);
  if (job.words) {
    const d16 = d as Int16Array | Uint16Array;
    claimChunks(
      job,
      () => undefined,
      (s, e) => maskWords(d16, out, job.t, s >> 2, e >> 2),
    );
  } else {
    claimChunks(
      job,
      () => undefined,
      (s, e) => maskRange(d, out, job.t, job.inside, job.outside, s, e),
    );
  }
}

/** Bytes of the shared buffers a job holds handles on. */
function sharedBytes(job: HelperJob): number {
  if (job.kind === 'prefault') return job.buffer.byteLength;
  if (job.kind === 'count') return job.data.byteLength + job.table.byteLength;
  return job.data.byteLength + job.mask.byteLength;
}

const port = parentPort;
if (!port) throw new Error('helper-worker.ts runs as a worker thread (helper-thread.ts starts it)');
port.on('message', (job: HelperJob) => {
  // Dropped with the job; makes this thread's GC see the job's shared memory (see the header).
  const ballast = new ArrayBuffer(sharedBytes(job));
  if (job.kind === 'prefault') prefault(job);
  else if (job.kind === 'count') count(job);
  else mask(job);
  void ballast;
});

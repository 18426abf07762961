// The histogram count and the mask pass of large 8/16-bit images that live in shared memory
// (SharedArrayBuffer: what the native DICOM reader allocates for large volumes), split between the
// calling thread and the helper thread (helper-thread.ts) in chunks of a million voxels. Both threads
// run the same loops as the single-threaded path (kernels.ts); results are identical by construction
// (counts are sums, mask bytes are per voxel) and tested against it. Images in plain ArrayBuffers,
// small images, and other pixel types stay on the calling thread.
import { helperThread, postToHelper, runChunks, type ChunkSplit } from './helper-thread.js';
import { CTL_LENGTH, WORKER_TABLE, type CountJob, type MaskJob, type SmallIntType } from './helper-protocol.js';
import { canMaskWords, countPairs, maskRange, maskWords, type SmallIntArray } from './kernels.js';
import { sharedWithBallast } from './shared-memory.js';
import type { ScalarArray } from './pixel-types.js';

/** Images with fewer voxels are not split (the hand-off costs more than it saves). */
export const PARALLEL_MIN_VOXELS = 1 << 22;

/** Voxels per chunk (a multiple of 4, so chunks of the 32-bit mask loop do not share a word). */
const CHUNK = 1 << 20;

/** The helper's count tables (two interleaved tables of 2^16 entries), made once per process. */
let helperTable: SharedArrayBuffer | undefined;
const TABLE_ENTRIES = 1 << 16;

function typeName(data: SmallIntArray): SmallIntType {
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  return data instanceof Int8Array ? 'int8' : 'uint8';
}

/** True when `data` is an 8/16-bit image in shared memory, large enough to split. */
export function splittable(data: ScalarArray): data is SmallIntArray {
  return (
    data.buffer instanceof SharedArrayBuffer &&
    data.length >= PARALLEL_MIN_VOXELS &&
    data.byteOffset % 4 === 0 &&
    (data instanceof Int16Array ||
      data instanceof Uint16Array ||
      data instanceof Int8Array ||
      data instanceof Uint8Array)
  );
}

/**
 * A zeroed array of `length` elements the way image readers allocate voxels: arrays of at least
 * {@link PARALLEL_MIN_VOXELS} elements in shared memory with a GC ballast (so the Otsu passes can
 * run on two threads), smaller ones as plain typed arrays.
 */
export function allocateVolumeArray<T extends object>(
  ctor: { new (buffer: ArrayBuffer | SharedArrayBuffer): T; new (length: number): T; BYTES_PER_ELEMENT: number },
  length: number,
): T {
  if (length < PARALLEL_MIN_VOXELS) return new ctor(length);
  // The helper thread takes ~20-30 ms to start: start it now, while the reader fills the volume.
  helperThread();
  return sharedWithBallast(length * ctor.BYTES_PER_ELEMENT, (b) => new ctor(b));
}

/**
 * Counts every voxel of `data` into `c0`/`c1` (index value + offset) on both threads and says how the
 * chunks were shared. Undefined when the helper thread cannot be asked; the caller then counts alone.
 */
export function countParallel(
  data: SmallIntArray,
  offset: number,
  c0: Uint32Array,
  c1: Uint32Array,
): ChunkSplit | undefined {
  helperTable ??= new SharedArrayBuffer(2 * TABLE_ENTRIES * 4);
  const ctl = new Int32Array(new SharedArrayBuffer(CTL_LENGTH * 4));
  const even = data.length & ~1;
  const job: CountJob = {
    kind: 'count',
    ctl: ctl.buffer,
    data: data.buffer as SharedArrayBuffer, // splittable() checked it
    byteOffset: data.byteOffset,
    length: even,
    type: typeName(data),
    offset,
    table: helperTable,
    chunk: CHUNK,
  };
  if (!postToHelper(job)) return undefined;
  const split = runChunks(ctl, even, CHUNK, (s, e) => countPairs(data, offset, c0, c1, s, e));
  if (even < data.length) {
    const k = data[even]! + offset;
    c0[k] = c0[k]! + 1;
  }
  if (Atomics.load(ctl, WORKER_TABLE) === 1) {
    const t0 = new Uint32Array(helperTable, 0, TABLE_ENTRIES);
    const t1 = new Uint32Array(helperTable, TABLE_ENTRIES * 4, TABLE_ENTRIES);
    for (let k = 0; k < c0.length; k++) c0[k] = c0[k]! + t0[k]! + t1[k]!;
  }
  return split;
}

/**
 * Writes the mask of `data` (v > t → outside, else inside) into the shared `out` on both threads and
 * says how the chunks were shared. Undefined when the helper thread cannot be asked; the caller then
 * writes it alone.
 */
export function maskParallel(
  data: SmallIntArray,
  out: Uint8Array,
  t: number,
  inside: number,
  outside: number,
): ChunkSplit | undefined {
  if (!(out.buffer instanceof SharedArrayBuffer) || out.byteOffset !== 0 || out.length !== data.length)
    return undefined;
  const ctl = new Int32Array(new SharedArrayBuffer(CTL_LENGTH * 4));
  const n = data.length;
  const words = canMaskWords(data, out, inside, outside);
  const job: MaskJob = {
    kind: 'mask',
    words,
    ctl: ctl.buffer,
    data: data.buffer as SharedArrayBuffer, // splittable() checked it
    byteOffset: data.byteOffset,
    length: n,
    type: typeName(data),
    t,
    inside,
    outside,
    mask: out.buffer as SharedArrayBuffer,
    chunk: CHUNK,
  };
  if (!postToHelper(job)) return undefined;
  if (!words) return runChunks(ctl, n, CHUNK, (s, e) => maskRange(data, out, t, inside, outside, s, e));
  const d16 = data as Int16Array | Uint16Array;
  const split = runChunks(ctl, n, CHUNK, (s, e) => maskWords(d16, out, t, s >> 2, e >> 2));
  // The last one to three voxels do not fill a word.
  maskRange(data, out, t, inside, outside, (n >> 2) << 2, n);
  return split;
}

// The messages between the calling thread and the Otsu helper thread (helper-thread.ts starts it,
// helper-worker.ts is its code), and the shared-memory protocols they follow. Types and constants
// only, so that both sides compile against one definition.
//
// Chunk protocol (a shared Int32Array `ctl` per count or mask job): both threads claim chunk indices
// with Atomics.add(ctl[NEXT]) until they run out and count finished chunks in ctl[FINISHED]; the
// caller waits until every chunk is finished. The worker counts into its own table and marks
// ctl[WORKER_TABLE] before writing it (after claiming its first chunk), so the caller merges that
// table only when it was used.
//
// Prefault protocol (one Int32 state per buffer): PENDING → (worker starts) RUNNING → DONE, or
// PENDING → DONE when the caller needs the buffer before the worker got to it; RUNNING → STOP
// (caller) → DONE (worker, within 64 pages).

export const NEXT = 0;
export const FINISHED = 1;
export const WORKER_TABLE = 2;
export const CTL_LENGTH = 3;

export const PENDING = 0;
export const RUNNING = 1;
export const STOP = 2;
export const DONE = 3;

export type SmallIntType = 'int8' | 'uint8' | 'int16' | 'uint16';

/** Fault in the pages of `buffer` (one write per `page` bytes) unless the caller took it first. */
export interface PrefaultJob {
  kind: 'prefault';
  buffer: SharedArrayBuffer;
  state: SharedArrayBuffer;
  page: number;
}

/** The voxels a count or mask job works on: `length` elements of `type` at `byteOffset` in `data`. */
interface VoxelJob {
  ctl: SharedArrayBuffer;
  data: SharedArrayBuffer;
  byteOffset: number;
  length: number;
  type: SmallIntType;
  /** Elements per chunk. */
  chunk: number;
}

/** Count voxel values (+ offset) into the two interleaved tables of `table`. */
export interface CountJob extends VoxelJob {
  kind: 'count';
  offset: number;
  table: SharedArrayBuffer;
}

/** Write the mask (v > t → outside, else inside) into `mask`; `words`: the 0/1 four-per-store loop. */
export interface MaskJob extends VoxelJob {
  kind: 'mask';
  words: boolean;
  t: number;
  inside: number;
  outside: number;
  mask: SharedArrayBuffer;
}

export type HelperJob = PrefaultJob | CountJob | MaskJob;

// Output buffers for large masks whose memory pages are faulted in by a second thread while the
// caller is still busy (the histogram pass), so the mask pass itself does not stop on page faults.
// A fresh 75 MiB mask costs ~19 000 first-touch faults (kernel page allocation + zeroing, ~25-30 ms
// on this class of machine); ITK's filter runs multi-threaded, and this moves that work to the
// otherwise idle core. The worker only ever sees the output buffer, never the input image.
//
// The mask is shared memory with a GC ballast (shared-memory.ts says why: no detached buffers, and
// masks made in a loop are freed); the worker's handle on it goes with its own ballast
// (helper-worker.ts).
//
// Protocol: one Int32 state per buffer, shared with the worker (helper-protocol.ts).
// `ready()` returns only when the worker no longer writes to the buffer, so the mask pass and the
// worker never touch the same memory at the same time, and never waits for a worker that has not
// started. The thread itself is helper-thread.ts.
import { postToHelper } from './helper-thread.js';
import { DONE, PENDING, RUNNING, STOP } from './helper-protocol.js';
import { sharedBytes } from './shared-memory.js';

/** Buffers smaller than this are allocated normally (their faults cost less than the hand-off). */
export const PREFAULT_MIN_BYTES = 16 * 2 ** 20;

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
  const bytes = sharedBytes(length);
  const state = new SharedArrayBuffer(4);
  const st = new Int32Array(state);
  if (!postToHelper({ kind: 'prefault', buffer: bytes.buffer, state, page: 4096 })) {
    return { bytes: new Uint8Array(length), ready: () => undefined };
  }
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

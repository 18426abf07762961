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
// - The worker's own handle would keep the memory alive too: it collects its heap after every job
//   (helper-thread.ts).
//
// Protocol (one Int32 state per buffer, shared with the worker):
//   PENDING → (worker starts) RUNNING → DONE, or PENDING → DONE when the caller needs the buffer
//   before the worker got to it; RUNNING → STOP (caller) → DONE (worker, within 64 pages).
// `ready()` returns only when the worker no longer writes to the buffer, so the mask pass and the
// worker never touch the same memory at the same time, and never waits for a worker that has not
// started. The thread itself is helper-thread.ts.
import { DONE, PENDING, postToHelper, RUNNING, STOP } from './helper-thread.js';

/** Buffers smaller than this are allocated normally (their faults cost less than the hand-off). */
export const PREFAULT_MIN_BYTES = 16 * 2 ** 20;

/** Keeps each shared buffer's ballast alive exactly as long as the view it was made for. */
const ballasts = new WeakMap<object, ArrayBuffer>();

/**
 * A SharedArrayBuffer of `byteLength` bytes viewed by `make`, with a same-size untouched plain
 * ArrayBuffer tied to the view so that V8's GC counts the memory (see the header comment).
 */
export function sharedWithBallast<T extends object>(byteLength: number, make: (b: SharedArrayBuffer) => T): T {
  const view = make(new SharedArrayBuffer(byteLength));
  ballasts.set(view, new ArrayBuffer(byteLength));
  return view;
}

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
  const bytes = sharedWithBallast(length, (b) => new Uint8Array(b));
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

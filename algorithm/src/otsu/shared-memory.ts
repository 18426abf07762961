// Large voxel and mask arrays in shared memory (SharedArrayBuffer), so the helper thread can work on
// them without a transfer: a transferred ArrayBuffer is detached, and the first detach in a process
// makes V8 guard every later typed-array loop against detached buffers (the histogram and mask loops
// then run ~50 % slower for the rest of the process). V8 does not count SharedArrayBuffer memory
// towards its GC heuristics, so each shared view carries an untouched plain ArrayBuffer of the same
// size (`ballast`: counted by V8, never faulted in, so it costs address space, not memory), which
// makes the GC collect these arrays as it collects plain ones.

/** Keeps each shared buffer's ballast alive exactly as long as the view it was made for. */
const ballasts = new WeakMap<object, ArrayBuffer>();

/**
 * A SharedArrayBuffer of `byteLength` bytes viewed by `make`, with a same-size untouched plain
 * ArrayBuffer tied to the view so that V8's GC counts the memory.
 */
export function sharedWithBallast<T extends object>(byteLength: number, make: (b: SharedArrayBuffer) => T): T {
  const view = make(new SharedArrayBuffer(byteLength));
  ballasts.set(view, new ArrayBuffer(byteLength));
  return view;
}

/** A zeroed byte array of `length` in shared memory (a mask). */
export function sharedBytes(length: number): Uint8Array<SharedArrayBuffer> {
  return sharedWithBallast(length, (b) => new Uint8Array(b));
}

// The hot loops of the Otsu filter for 8/16-bit images, on element ranges so that the calling thread
// and the helper thread (helper-worker.ts runs these same functions) can split an image:
// per-value counting into two interleaved tables, and the mask pass. One monomorphic loop per array
// type: the JIT keeps each tight (a shared loop over the union of typed arrays runs markedly slower).
// Owns no ITK arithmetic; histogram.ts and threshold-image.ts do.

import { endianness } from 'node:os';

export type SmallIntArray = Int8Array | Uint8Array | Int16Array | Uint16Array;

export const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Counts `data[start..end)` (`end - start` even) into `c0` (even positions) and `c1` (odd ones) at
 * index value + offset. Two tables: consecutive voxels usually share a value, and one table would
 * make each increment wait for the previous store.
 */
export function countPairs(
  data: SmallIntArray,
  offset: number,
  c0: Uint32Array,
  c1: Uint32Array,
  start: number,
  end: number,
): void {
  if (data instanceof Int16Array) countPairsInt16(data, c0, c1, start, end);
  else if (data instanceof Uint16Array) countPairsUint16(data, c0, c1, start, end);
  else countPairsBytes(data, offset, c0, c1, start, end);
}

function countPairsInt16(data: Int16Array, c0: Uint32Array, c1: Uint32Array, start: number, end: number): void {
  for (let i = start; i < end; i += 2) {
    const a = data[i]! + 32768;
    const b = data[i + 1]! + 32768;
    c0[a] = c0[a]! + 1;
    c1[b] = c1[b]! + 1;
  }
}

function countPairsUint16(data: Uint16Array, c0: Uint32Array, c1: Uint32Array, start: number, end: number): void {
  for (let i = start; i < end; i += 2) {
    const a = data[i]!;
    const b = data[i + 1]!;
    c0[a] = c0[a]! + 1;
    c1[b] = c1[b]! + 1;
  }
}

function countPairsBytes(
  data: Int8Array | Uint8Array,
  offset: number,
  c0: Uint32Array,
  c1: Uint32Array,
  start: number,
  end: number,
): void {
  for (let i = start; i < end; i += 2) {
    const a = data[i]! + offset;
    const b = data[i + 1]! + offset;
    c0[a] = c0[a]! + 1;
    c1[b] = c1[b]! + 1;
  }
}

/** True when the 0/1 mask of `data` can be written four voxels per 32-bit store into `out`. */
export function canMaskWords(data: SmallIntArray, out: Uint8Array, inside: number, outside: number): boolean {
  return (
    inside === 0 &&
    outside === 1 &&
    LITTLE_ENDIAN &&
    (data instanceof Int16Array || data instanceof Uint16Array) &&
    out.byteOffset % 4 === 0 &&
    data.byteOffset % 4 === 0
  );
}

/**
 * The 0/1 mask (v > t) of 16-bit `data` for output words [startWord, endWord): two voxels per 32-bit
 * load (low half first on little-endian), four mask bytes per store. Branch-free: for |values| < 2^16,
 * (t − v) >>> 31 is 1 exactly when v > t. Only when {@link canMaskWords} holds.
 */
export function maskWords(
  data: Int16Array | Uint16Array,
  out: Uint8Array,
  t: number,
  startWord: number,
  endWord: number,
): void {
  const words = data.length >> 1;
  const o32 = new Uint32Array(out.buffer, out.byteOffset, out.length >> 2);
  if (data instanceof Int16Array)
    maskWordsInt16(new Int32Array(data.buffer, data.byteOffset, words), o32, t, startWord, endWord);
  else maskWordsUint16(new Uint32Array(data.buffer, data.byteOffset, words), o32, t, startWord, endWord);
}

function maskWordsInt16(d32: Int32Array, o32: Uint32Array, t: number, start: number, end: number): void {
  for (let j = start; j < end; j++) {
    const x = d32[2 * j]!;
    const y = d32[2 * j + 1]!;
    o32[j] =
      ((t - ((x << 16) >> 16)) >>> 31) |
      (((t - (x >> 16)) >>> 31) << 8) |
      (((t - ((y << 16) >> 16)) >>> 31) << 16) |
      (((t - (y >> 16)) >>> 31) << 24);
  }
}

function maskWordsUint16(d32: Uint32Array, o32: Uint32Array, t: number, start: number, end: number): void {
  for (let j = start; j < end; j++) {
    const x = d32[2 * j]!;
    const y = d32[2 * j + 1]!;
    o32[j] =
      ((t - (x & 0xffff)) >>> 31) |
      (((t - (x >>> 16)) >>> 31) << 8) |
      (((t - (y & 0xffff)) >>> 31) << 16) |
      (((t - (y >>> 16)) >>> 31) << 24);
  }
}

/** The mask of `data[start..end)` with any inside/outside values (v > t → outside). */
export function maskRange(
  data: SmallIntArray,
  out: Uint8Array,
  t: number,
  inside: number,
  outside: number,
  start: number,
  end: number,
): void {
  const diff = outside - inside;
  if (data instanceof Int16Array) for (let i = start; i < end; i++) out[i] = inside + ((t - data[i]!) >>> 31) * diff;
  else if (data instanceof Uint16Array)
    for (let i = start; i < end; i++) out[i] = inside + ((t - data[i]!) >>> 31) * diff;
  else if (data instanceof Int8Array)
    for (let i = start; i < end; i++) out[i] = inside + ((t - data[i]!) >>> 31) * diff;
  else for (let i = start; i < end; i++) out[i] = inside + ((t - data[i]!) >>> 31) * diff;
}

// Pixel decoding as GDCMImageIO does it: byte order resolved (big-endian OW swapped in 16-bit words),
// Bits Stored < 16 of 16 allocated masked / sign-extended, MONOCHROME1 inverted before the rescale,
// Pixel Padding Value ignored; values are slope·v+intercept in double, truncated to the type. Owns
// writing each slice into the volume and putting the slices in order in place.
import { storedType, type OutputArray, type OutputType } from './pixel-type.js';
import type { SliceInfo } from './slice-info.js';

/**
 * The pixel bytes as a little-endian view aligned to `align` bytes: a copy only when the bytes are
 * big endian (swapped in 16-bit words, as GDCM does while reading OW) or not aligned.
 */
function littleEndianBytes(s: SliceInfo, pixels: Uint8Array, align: number): Uint8Array {
  if (s.bigEndian && s.format.bitsAllocated === 16) {
    const copy = new Uint8Array(pixels);
    Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength).swap16();
    return copy;
  }
  return pixels.byteOffset % align === 0 ? pixels : new Uint8Array(pixels);
}

/**
 * Stored values of one slice as GDCMImageIO hands them to the rescale: byte order resolved, unused
 * high bits of 16 allocated masked (unsigned) or sign-extended (signed) as ImageCodec's overlay
 * cleanup does, MONOCHROME1 inverted as ImageCodec::DoInvertMonochrome does (unsigned: max − v with
 * max = 2^BitsStored − 1; signed: the bitwise complement, −v − 1). A view of the file bytes when
 * nothing needs changing.
 */
function storedValues(s: SliceInfo, pixels: Uint8Array): OutputArray {
  const n = s.rows * s.columns;
  const f = s.format;
  const cleanup = f.bitsStored !== f.bitsAllocated;
  const bytes = littleEndianBytes(s, pixels, f.bitsAllocated === 16 && (cleanup || s.invert) ? 4 : f.bitsAllocated / 8);
  const { buffer, byteOffset } = bytes;
  if (f.bitsAllocated === 32)
    return f.signed ? new Int32Array(buffer, byteOffset, n) : new Uint32Array(buffer, byteOffset, n);
  if (f.bitsAllocated === 8) {
    const raw = f.signed ? new Int8Array(buffer, byteOffset, n) : bytes.subarray(0, n);
    if (!s.invert) return raw;
    const out = f.signed ? new Int8Array(n) : new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = ~raw[i]!;
    return out;
  }
  const words = new Uint16Array(buffer, byteOffset, n);
  if (!cleanup && !s.invert) return f.signed ? new Int16Array(buffer, byteOffset, n) : words;
  if (f.signed) {
    // Sign bit (bit Bits Stored − 1) propagated into the unused bits; a no-op for 16 bits stored.
    const out = new Int16Array(n);
    const shift = 32 - f.bitsStored;
    const flip = s.invert ? -1 : 0;
    for (let i = 0; i < n; i++) out[i] = ((words[i]! << shift) >> shift) ^ flip;
    return out;
  }
  const out = new Uint16Array(n);
  const mask = 0xffff >>> (16 - f.bitsStored);
  // Two 16-bit lanes per 32-bit operation: no borrow crosses lanes, each lane stays ≤ mask.
  const pairs = n >>> 1;
  const in32 = new Uint32Array(buffer, byteOffset, pairs);
  const out32 = new Uint32Array(out.buffer, 0, pairs);
  const mask2 = mask * 0x10001;
  if (s.invert) {
    for (let i = 0; i < pairs; i++) out32[i] = mask2 - (in32[i]! & mask2);
    for (let i = 2 * pairs; i < n; i++) out[i] = mask - (words[i]! & mask);
  } else {
    for (let i = 0; i < pairs; i++) out32[i] = in32[i]! & mask2;
    for (let i = 2 * pairs; i < n; i++) out[i] = words[i]! & mask;
  }
  return out;
}

/** Writes one slice's values at `offset`, rescaled like GDCM's Rescaler (slope·v + intercept, truncated). */
export function writeSlice(s: SliceInfo, pixels: Uint8Array, out: OutputArray, offset: number): void {
  const values = storedValues(s, pixels);
  if (s.slope === 1 && s.intercept === 0) {
    out.set(values, offset);
    return;
  }
  const { slope, intercept } = s;
  const n = values.length;
  if (out instanceof Float64Array) {
    for (let i = 0; i < n; i++) out[offset + i] = slope * values[i]! + intercept;
  } else {
    // Integer slope/intercept over the Bits Stored range: exact and within the output type.
    for (let i = 0; i < n; i++) out[offset + i] = Math.trunc(slope * values[i]! + intercept);
  }
}

/**
 * Reorders whole slices in place so that slice k ends up holding what slice order[k] held (cycle by
 * cycle, one slice of scratch), instead of a second volume-sized buffer.
 */
export function permuteSlices(data: OutputArray, perSlice: number, order: number[]): void {
  const placed = new Uint8Array(order.length);
  let scratch: OutputArray | undefined;
  for (let start = 0; start < order.length; start++) {
    if (placed[start] || order[start] === start) continue;
    scratch ??= data.slice(0, perSlice);
    scratch.set(data.subarray(start * perSlice, (start + 1) * perSlice));
    for (let k = start; ;) {
      const from = order[k]!;
      placed[k] = 1;
      if (from === start) {
        data.set(scratch, k * perSlice);
        break;
      }
      data.copyWithin(k * perSlice, from * perSlice, (from + 1) * perSlice);
      k = from;
    }
  }
}

/** True when a slice's stored bytes are its output values as they are (writeSlice would only copy them). */
export function verbatim(s: SliceInfo, type: OutputType): boolean {
  const f = s.format;
  return (
    storedType(f) === type &&
    s.slope === 1 &&
    s.intercept === 0 &&
    !s.invert &&
    f.bitsStored === f.bitsAllocated &&
    (!s.bigEndian || f.bitsAllocated === 8)
  );
}

// The last stage of ITK's HistogramThresholdImageFilter: BinaryThresholdImageFilter with lower bound
// NonpositiveMin() and upper bound the Otsu threshold (in the pixel type), so voxels in
// [lowest, threshold] get the inside value and all others (above it) the outside value.
// Owns the mask pass only.
import { KxError } from '@kaapana-ext/core';
import { LIMITS, type ScalarArray, type ScalarComponentType } from './pixel-types.js';

export interface MaskValues {
  /** Value of voxels at or below the threshold (SimpleITK's insideValue; 0 in `OtsuThreshold(img, 0, 1)`). */
  inside: number;
  /** Value of voxels above the threshold (outsideValue; 1). */
  outside: number;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

// One monomorphic loop per array type: the JIT keeps each tight (a shared loop over the union of
// typed arrays runs markedly slower). For the usual 0/1 mask, four voxels go out in one 32-bit store.
function maskInt16(data: Int16Array, t: number, inside: number, outside: number, out: Uint8Array): void {
  if (inside === 0 && outside === 1 && LITTLE_ENDIAN && out.byteOffset % 4 === 0 && data.byteOffset % 4 === 0) {
    // Two voxels per 32-bit load (low half first on little-endian), four mask bytes per store.
    const d32 = new Int32Array(data.buffer, data.byteOffset, data.length >> 1);
    const o32 = new Uint32Array(out.buffer, out.byteOffset, out.length >> 2);
    for (let j = 0; j < o32.length; j++) {
      const x = d32[2 * j]!;
      const y = d32[2 * j + 1]!;
      o32[j] =
        ((t - ((x << 16) >> 16)) >>> 31) |
        (((t - (x >> 16)) >>> 31) << 8) |
        (((t - ((y << 16) >> 16)) >>> 31) << 16) |
        (((t - (y >> 16)) >>> 31) << 24);
    }
    for (let i = o32.length << 2; i < data.length; i++) out[i] = (t - data[i]!) >>> 31;
    return;
  }
  const diff = outside - inside;
  for (let i = 0; i < data.length; i++) out[i] = inside + ((t - data[i]!) >>> 31) * diff;
}
function maskUint16(data: Uint16Array, t: number, inside: number, outside: number, out: Uint8Array): void {
  if (inside === 0 && outside === 1 && LITTLE_ENDIAN && out.byteOffset % 4 === 0 && data.byteOffset % 4 === 0) {
    const d32 = new Uint32Array(data.buffer, data.byteOffset, data.length >> 1);
    const o32 = new Uint32Array(out.buffer, out.byteOffset, out.length >> 2);
    for (let j = 0; j < o32.length; j++) {
      const x = d32[2 * j]!;
      const y = d32[2 * j + 1]!;
      o32[j] =
        ((t - (x & 0xffff)) >>> 31) |
        (((t - (x >>> 16)) >>> 31) << 8) |
        (((t - (y & 0xffff)) >>> 31) << 16) |
        (((t - (y >>> 16)) >>> 31) << 24);
    }
    for (let i = o32.length << 2; i < data.length; i++) out[i] = (t - data[i]!) >>> 31;
    return;
  }
  const diff = outside - inside;
  for (let i = 0; i < data.length; i++) out[i] = inside + ((t - data[i]!) >>> 31) * diff;
}
function maskBytes(data: Int8Array | Uint8Array, t: number, inside: number, outside: number, out: Uint8Array): void {
  const diff = outside - inside;
  for (let i = 0; i < data.length; i++) out[i] = inside + ((t - data[i]!) >>> 31) * diff;
}

const SMALL_INT = new Set<ScalarComponentType>(['int8', 'uint8', 'int16', 'uint16']);

function checkMaskValue(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 255) {
    throw new KxError(`${name} must be an integer 0…255 (the mask is uint8), got ${v}`);
  }
}

/** Writes the uint8 mask of `data` for `threshold` (already cast to the pixel type). */
export function thresholdImage(
  data: ScalarArray,
  type: ScalarComponentType,
  threshold: number,
  values: MaskValues,
  out: Uint8Array = new Uint8Array(data.length),
  valueCounts?: { min: number; counts: Float64Array },
): { mask: Uint8Array; outsideVoxels: number } {
  checkMaskValue('inside value', values.inside);
  checkMaskValue('outside value', values.outside);
  if (out.length !== data.length) throw new KxError('mask buffer size differs from the image');
  const { inside, outside } = values;
  const lowest = LIMITS[type].lowest;
  let above = 0;
  if (valueCounts && SMALL_INT.has(type)) {
    // Branch-free: for |values| < 2^16, (threshold − v) >>> 31 is 1 exactly when v > threshold; the
    // count above the threshold comes from the per-value counts instead of the loop.
    if (data instanceof Int16Array) maskInt16(data, threshold, inside, outside, out);
    else if (data instanceof Uint16Array) maskUint16(data, threshold, inside, outside, out);
    else maskBytes(data as Int8Array | Uint8Array, threshold, inside, outside, out);
    const { min, counts } = valueCounts;
    for (let k = Math.max(0, threshold - min + 1); k < counts.length; k++) above += counts[k]!;
    return { mask: out, outsideVoxels: above };
  }
  if (LIMITS[type].integer) {
    // For integers NonpositiveMin() is the type minimum: the lower test always holds.
    for (let i = 0; i < data.length; i++) {
      if ((data[i] as number) <= threshold) {
        out[i] = inside;
      } else {
        out[i] = outside;
        above++;
      }
    }
  } else {
    for (let i = 0; i < data.length; i++) {
      const v = data[i] as number;
      if (lowest <= v && v <= threshold) {
        out[i] = inside;
      } else {
        out[i] = outside;
        above++;
      }
    }
  }
  return { mask: out, outsideVoxels: above };
}

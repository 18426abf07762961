// The last stage of ITK's HistogramThresholdImageFilter: BinaryThresholdImageFilter with lower bound
// NonpositiveMin() and upper bound the Otsu threshold (in the pixel type), so voxels in
// [lowest, threshold] get the inside value and all others (above it) the outside value.
// Owns the mask pass only (its loops are in kernels.ts).
import { OtsuError } from '../errors.js';
import { canMaskWords, maskRange, maskWords, type SmallIntArray } from './kernels.js';
import { maskParallel, splittable } from './parallel.js';
import { LIMITS, type ScalarArray, type ScalarComponentType } from './pixel-types.js';

export interface MaskValues {
  /** Value of voxels at or below the threshold (SimpleITK's insideValue; 0 in `OtsuThreshold(img, 0, 1)`). */
  inside: number;
  /** Value of voxels above the threshold (outsideValue; 1). */
  outside: number;
}

const SMALL_INT = new Set<ScalarComponentType>(['int8', 'uint8', 'int16', 'uint16']);

function checkMaskValue(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 255) {
    throw new OtsuError(`${name} must be an integer 0…255 (the mask is uint8), got ${v}`);
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
  if (out.length !== data.length) throw new OtsuError('mask buffer size differs from the image');
  const { inside, outside } = values;
  const lowest = LIMITS[type].lowest;
  let above = 0;
  if (valueCounts && SMALL_INT.has(type)) {
    // Branch-free: for |values| < 2^16, (threshold − v) >>> 31 is 1 exactly when v > threshold; the
    // count above the threshold comes from the per-value counts instead of the loop.
    const small = data as SmallIntArray;
    // Large images in shared memory with a shared mask are split between two threads (parallel.ts).
    if (!(splittable(small) && maskParallel(small, out, threshold, inside, outside))) {
      if (canMaskWords(small, out, inside, outside)) {
        maskWords(small as Int16Array | Uint16Array, out, threshold, 0, data.length >> 2);
        maskRange(small, out, threshold, inside, outside, (data.length >> 2) << 2, data.length);
      } else {
        maskRange(small, out, threshold, inside, outside, 0, data.length);
      }
    }
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

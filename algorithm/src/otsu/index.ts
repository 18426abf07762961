// Public API of the Otsu filter: `otsuThreshold` (histogram + threshold search, the value
// `sitk.OtsuThresholdImageFilter.GetThreshold()` reports) and `otsuMask` (threshold + mask in one
// call, like `sitk.OtsuThreshold(img, inside, outside, bins)`), plus the histogram/result types the
// report draws. Works on typed arrays; image I/O lives in ../volume/.
import { otsuSearch } from './calculator.js';
import { buildHistogram, type OtsuHistogram } from './histogram.js';
import { castToPixel, componentTypeOf, type ScalarArray, type ScalarComponentType } from './pixel-types.js';
import { thresholdImage, type MaskValues } from './threshold-image.js';
import { allocatePrefaulted } from './prefault.js';
import { splittable } from './parallel.js';
import { sharedBytes } from './shared-memory.js';

export type { OtsuHistogram } from './histogram.js';
export type { OtsuSearchResult } from './calculator.js';
export type { MaskValues } from './threshold-image.js';
export type { ScalarArray, ScalarComponentType } from './pixel-types.js';
export { buildHistogram, binEdges, binIndexItk, histogramBounds } from './histogram.js';
export { otsuSearch } from './calculator.js';
export { thresholdImage } from './threshold-image.js';
export { castToPixel, componentTypeOf, isScalarComponentType, LIMITS, SCALAR_ARRAYS } from './pixel-types.js';
export type { ScalarArrayConstructor } from './pixel-types.js';
export { floatAlmostEqual } from './float-compare.js';
export { allocatePrefaulted, PREFAULT_MIN_BYTES } from './prefault.js';
export { sharedWithBallast } from './shared-memory.js';
export { allocateVolumeArray, PARALLEL_MIN_VOXELS, splittable } from './parallel.js';

/** SimpleITK's default number of histogram bins for OtsuThreshold. */
export const DEFAULT_BINS = 128;

export interface OtsuOptions {
  /** Histogram bins (default 128, SimpleITK's default). */
  bins?: number;
}

/** The Otsu threshold of an image and how it was found; what the report and result.json show. */
export interface OtsuThresholdResult {
  /** The threshold as ITK reports it: the chosen bin's upper edge cast to the pixel type. */
  threshold: number;
  /** The same edge as a double, before the cast. */
  binMax: number;
  /** Index of the chosen bin. */
  binIndex: number;
  /** Pixel type the threshold was cast to. */
  pixelType: ScalarComponentType;
  histogram: OtsuHistogram;
}

export interface OtsuMaskResult extends OtsuThresholdResult {
  /** uint8 mask, same voxel order as the input. */
  mask: Uint8Array;
  /** Voxels above the threshold (those that got the outside value, 1 by default). */
  foregroundVoxels: number;
  totalVoxels: number;
}

/** The threshold `itk::OtsuThresholdImageFilter` computes for `data` (pixel type from the array). */
export function otsuThreshold(data: ScalarArray, options: OtsuOptions = {}): OtsuThresholdResult {
  const pixelType = componentTypeOf(data);
  const histogram = buildHistogram(data, pixelType, options.bins ?? DEFAULT_BINS);
  const search = otsuSearch(histogram);
  return {
    threshold: castToPixel(search.binMax, pixelType),
    binMax: search.binMax,
    binIndex: search.binIndex,
    pixelType,
    histogram,
  };
}

/** `sitk.OtsuThreshold(img, inside, outside, bins)`: threshold and uint8 mask (defaults 0 / 1 / 128). */
export function otsuMask(data: ScalarArray, options: OtsuOptions & Partial<MaskValues> = {}): OtsuMaskResult {
  // A large image in shared memory is counted and masked on two threads (parallel.ts) into a shared
  // mask; otherwise a large mask's pages are faulted in by the helper thread during the histogram.
  const out = splittable(data)
    ? { bytes: sharedBytes(data.length), ready: () => undefined }
    : allocatePrefaulted(data.length);
  const result = otsuThreshold(data, options);
  out.ready();
  const { mask, outsideVoxels } = thresholdImage(
    data,
    result.pixelType,
    result.threshold,
    { inside: options.inside ?? 0, outside: options.outside ?? 1 },
    out.bytes,
    result.histogram.valueCounts,
  );
  return { ...result, mask, foregroundVoxels: outsideVoxels, totalVoxels: data.length };
}

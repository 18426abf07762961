// The histogram ITK's OtsuThresholdImageFilter builds (itk::Statistics::ImageToHistogramFilter +
// itk::Statistics::Histogram, ITK 5.2), reproduced bit for bit on typed arrays:
// - bounds: 8-bit pixels use the whole type range ± 0.5 (AutoMinimumMaximum off); every other type
//   uses the data min/max, the max raised by the "marginal scale" margin ((max−min)/bins/100, double);
// - bin edges: the interval is computed in *float* ((float)upper − (float)lower) / (float)bins and
//   binMin[j] = lower + (float)j·interval (float product added to the double lower), the last bin's
//   max is exactly `upper`;
// - a value goes to the bin found by ITK's binary search; a value at or above the last edge only
//   counts when it almost equals it (4 ULPs), otherwise it is dropped (ClipBinsAtEnds).
// Owns the histogram only; the threshold search is in calculator.ts.
import { OtsuError } from '../errors.js';
import { floatAlmostEqual } from './float-compare.js';
import { countPairs, type SmallIntArray } from './kernels.js';
import { countParallel, splittable } from './parallel.js';
import { LIMITS, type ScalarArray, type ScalarComponentType } from './pixel-types.js';

/** The histogram of one image, with ITK's bin edges; exported for the report's histogram plot. */
export interface OtsuHistogram {
  /** Number of bins (ITK's NumberOfHistogramBins). */
  bins: number;
  /** Lower and upper bound handed to `Histogram::Initialize` (after the marginal scale). */
  lower: number;
  upper: number;
  /** Per-bin lower/upper edges as ITK stores them (doubles). */
  binMins: Float64Array;
  binMaxs: Float64Array;
  /** Voxel count per bin. */
  frequencies: Float64Array;
  /** Sum of `frequencies` (voxels outside the bins are not counted, as in ITK). */
  totalFrequency: number;
  /** Smallest and largest voxel value of the image. */
  dataMin: number;
  dataMax: number;
  /** ITK's ClipBinsAtEnds: false only when the margin would overflow the measurement type. */
  clipBinsAtEnds: boolean;
  /**
   * Voxel count per pixel value (`counts[k]` for value `min + k`) when the image is integer with a
   * small value range (8/16-bit, or 32-bit spanning < 2^22 values); lets the mask pass skip counting.
   */
  valueCounts?: { min: number; counts: Float64Array };
}

export interface HistogramBounds {
  lower: number;
  upper: number;
  clipBinsAtEnds: boolean;
}

/** `ImageToHistogramFilter::InitializeOutputHistogram` + `ApplyMarginalScale` for a scalar image. */
export function histogramBounds(
  type: ScalarComponentType,
  dataMin: number,
  dataMax: number,
  bins: number,
): HistogramBounds {
  if (type === 'int8' || type === 'uint8') {
    // AutoMinimumMaximum is off for char types: NonpositiveMin() − 0.5 … max() + 0.5, no margin.
    return { lower: LIMITS[type].lowest - 0.5, upper: LIMITS[type].max + 0.5, clipBinsAtEnds: true };
  }
  // The measurement type is double (NumericTraits<T>::RealType), never an integer type.
  const marginalScale = 100;
  const margin = (dataMax - dataMin) / bins / marginalScale;
  if (Number.MAX_VALUE - dataMax > margin) {
    return { lower: dataMin, upper: dataMax + margin, clipBinsAtEnds: true };
  }
  return { lower: dataMin, upper: dataMax, clipBinsAtEnds: false };
}

/** `Histogram::Initialize(size, lower, upper)`: the bin edges, with its float interval arithmetic. */
export function binEdges(lower: number, upper: number, bins: number): { binMins: Float64Array; binMaxs: Float64Array } {
  const f = Math.fround;
  const interval = f(f(f(upper) - f(lower)) / bins);
  const binMins = new Float64Array(bins);
  const binMaxs = new Float64Array(bins);
  for (let j = 0; j < bins - 1; j++) {
    binMins[j] = lower + f(j * interval);
    binMaxs[j] = lower + f((j + 1) * interval);
  }
  binMins[bins - 1] = lower + f((bins - 1) * interval);
  binMaxs[bins - 1] = upper;
  return { binMins, binMaxs };
}

/** `Histogram::GetIndex(measurement)`, literally: the bin of `v`, or −1 when ITK drops it. */
export function binIndexItk(binMins: Float64Array, binMaxs: Float64Array, clipBinsAtEnds: boolean, v: number): number {
  const size = binMins.length;
  if (v < binMins[0]!) return clipBinsAtEnds ? -1 : 0;
  let end = size - 1;
  if (v >= binMaxs[end]!) {
    return !clipBinsAtEnds || floatAlmostEqual(v, binMaxs[end]!) ? size - 1 : -1;
  }
  let begin = 0;
  let mid = Math.trunc((end + 1) / 2);
  let median = binMins[mid]!;
  for (;;) {
    if (v < median) {
      end = mid - 1;
    } else if (v > median) {
      if (v < binMaxs[mid]! && v >= binMins[mid]!) return mid;
      begin = mid + 1;
    } else {
      return mid;
    }
    mid = begin + Math.trunc((end - begin) / 2);
    median = binMins[mid]!;
  }
}

/**
 * A faster equivalent of {@link binIndexItk}, valid when the bins are contiguous and strictly
 * increasing (see {@link binsAreRegular}): guess from the interval, then step to the bin whose
 * [min, max) holds `v`.
 */
function makeFastIndex(binMins: Float64Array, binMaxs: Float64Array, clipBinsAtEnds: boolean): (v: number) => number {
  const last = binMins.length - 1;
  const lower = binMins[0]!;
  const top = binMaxs[last]!;
  const width = (top - lower) / binMins.length;
  return (v: number): number => {
    if (v < lower || v >= top) return binIndexItk(binMins, binMaxs, clipBinsAtEnds, v);
    let j = Math.floor((v - lower) / width);
    if (j > last) j = last;
    else if (j < 0) j = 0;
    while (v < binMins[j]!) j--;
    while (j < last && v >= binMaxs[j]!) j++;
    return j;
  };
}

/** True when every bin is [min, max) with min < max and max equal to the next bin's min. */
export function binsAreRegular(binMins: Float64Array, binMaxs: Float64Array): boolean {
  const n = binMins.length;
  for (let j = 0; j < n; j++) {
    if (!(binMins[j]! < binMaxs[j]!)) return false;
    if (j < n - 1 && binMaxs[j] !== binMins[j + 1]) return false;
  }
  return true;
}

function indexFunction(binMins: Float64Array, binMaxs: Float64Array, clipBinsAtEnds: boolean): (v: number) => number {
  return binsAreRegular(binMins, binMaxs)
    ? makeFastIndex(binMins, binMaxs, clipBinsAtEnds)
    : (v: number) => binIndexItk(binMins, binMaxs, clipBinsAtEnds, v);
}

/** Largest value range counted with a per-value table instead of per-voxel bin look-ups. */
const MAX_TABLE_RANGE = 1 << 22;

/** Per-value counts of an integer image (`counts[k]` for value `min + k`). */
function countValues(data: ScalarArray, min: number, max: number): Float64Array {
  const n = max - min + 1;
  const counts = new Float64Array(n);
  if (data.length >= 0xffffffff) {
    for (let i = 0; i < data.length; i++) {
      const k = (data[i] as number) - min;
      counts[k] = counts[k]! + 1;
    }
    return counts;
  }
  // Two interleaved Uint32 tables: consecutive voxels usually share a value, and one table would make
  // each increment wait for the previous store.
  const c0 = new Uint32Array(n);
  const c1 = new Uint32Array(n);
  const even = data.length & ~1;
  for (let i = 0; i < even; i += 2) {
    const a = (data[i] as number) - min;
    const b = (data[i + 1] as number) - min;
    c0[a] = c0[a]! + 1;
    c1[b] = c1[b]! + 1;
  }
  if (even < data.length) {
    const a = (data[even] as number) - min;
    c0[a] = c0[a]! + 1;
  }
  for (let k = 0; k < n; k++) counts[k] = c0[k]! + c1[k]!;
  return counts;
}

/**
 * Per-value counts over the whole range of an 8/16-bit type, trimmed to the values present:
 * `counts[k]` for value `lowest + lo + k`. One monomorphic loop per array type so the JIT keeps it
 * tight (the generic loop above runs about half as fast on 16-bit data); only the present range is
 * turned into doubles.
 */
function countSmallInt(data: SmallIntArray, offset: number, n: number): { lo: number; counts: Float64Array } {
  if (data.length >= 0xffffffff) return trimCounts(countValues(data, -offset, n - 1 - offset));
  const c0 = new Uint32Array(n);
  const c1 = new Uint32Array(n);
  // Large images in shared memory are counted on two threads (parallel.ts), others here.
  if (!(splittable(data) && countParallel(data, offset, c0, c1))) {
    const even = data.length & ~1;
    countPairs(data, offset, c0, c1, 0, even);
    if (even < data.length) {
      const k = data[even]! + offset;
      c0[k] = c0[k]! + 1;
    }
  }
  let lo = 0;
  while (c0[lo] === 0 && c1[lo] === 0) lo++;
  let hi = n - 1;
  while (c0[hi] === 0 && c1[hi] === 0) hi--;
  const counts = new Float64Array(hi - lo + 1);
  for (let k = lo; k <= hi; k++) counts[k - lo] = c0[k]! + c1[k]!;
  return { lo, counts };
}

function trimCounts(all: Float64Array): { lo: number; counts: Float64Array } {
  let lo = 0;
  while (all[lo] === 0) lo++;
  let hi = all.length - 1;
  while (all[hi] === 0) hi--;
  return { lo, counts: all.subarray(lo, hi + 1) };
}

/** Min and max of the pixel values; rejects NaN (ITK's min/max would be order-dependent). */
export function valueRange(data: ScalarArray): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (data instanceof Float32Array || data instanceof Float64Array) {
    for (let i = 0; i < data.length; i++) {
      if (Number.isNaN(data[i])) throw new OtsuError('the image contains NaN voxels; Otsu needs finite values');
    }
  }
  return { min, max };
}

/** Builds the histogram ITK's OtsuThresholdImageFilter would build for `data` with `bins` bins. */
export function buildHistogram(data: ScalarArray, type: ScalarComponentType, bins: number): OtsuHistogram {
  if (data.length === 0) throw new OtsuError('the image has no voxels');
  if (!Number.isInteger(bins) || bins < 2) throw new OtsuError(`--bins must be an integer ≥ 2, got ${bins}`);
  const is8bit = type === 'int8' || type === 'uint8';
  const is16bit = type === 'int16' || type === 'uint16';
  let dataMin: number;
  let dataMax: number;
  let counts: Float64Array | undefined;
  if (is8bit || is16bit) {
    // Count every possible value once; min/max fall out of the table.
    const lowest = LIMITS[type].lowest;
    const present = countSmallInt(data as SmallIntArray, -lowest, LIMITS[type].max - lowest + 1);
    counts = present.counts;
    dataMin = present.lo + lowest;
    dataMax = present.lo + counts.length - 1 + lowest;
  } else {
    ({ min: dataMin, max: dataMax } = valueRange(data));
    if (LIMITS[type].integer && dataMax - dataMin < MAX_TABLE_RANGE) counts = countValues(data, dataMin, dataMax);
  }

  const { lower, upper, clipBinsAtEnds } = histogramBounds(type, dataMin, dataMax, bins);
  const { binMins, binMaxs } = binEdges(lower, upper, bins);
  const index = indexFunction(binMins, binMaxs, clipBinsAtEnds);
  const frequencies = new Float64Array(bins);
  if (counts) {
    for (let k = 0; k < counts.length; k++) {
      const c = counts[k]!;
      if (c === 0) continue;
      const j = index(dataMin + k);
      if (j >= 0) frequencies[j] = frequencies[j]! + c;
    }
  } else {
    for (let i = 0; i < data.length; i++) {
      const j = index(data[i] as number);
      if (j >= 0) frequencies[j] = frequencies[j]! + 1;
    }
  }
  let totalFrequency = 0;
  for (let j = 0; j < bins; j++) totalFrequency += frequencies[j]!;
  const h: OtsuHistogram = {
    bins,
    lower,
    upper,
    binMins,
    binMaxs,
    frequencies,
    totalFrequency,
    dataMin,
    dataMax,
    clipBinsAtEnds,
  };
  if (counts) h.valueCounts = { min: dataMin, counts };
  return h;
}

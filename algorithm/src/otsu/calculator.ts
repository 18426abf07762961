// Otsu's threshold search as ITK 5.2 runs it for OtsuThresholdImageFilter: OtsuThresholdCalculator
// delegating to OtsuMultipleThresholdsCalculator with one threshold, valley emphasis off and
// ReturnBinMidpoint false. Same double arithmetic in the same order (class means updated
// incrementally, the "between-class variance" Σ ω·μ² / N without the constant μ_T² term), the same
// tie rule (a later candidate wins only when larger by more than 1 ULP), and the threshold is the
// upper edge of the chosen bin. Owns the search only; the histogram is built in histogram.ts.
//
// How this differs from scikit-image's `threshold_otsu` (the other common reference):
// - skimage uses 256 bins over [min, max] with bin *centres* from numpy's histogram and returns a
//   bin centre; ITK uses 128 bins with the float bin-edge arithmetic of histogram.ts, a max raised by
//   a 1/100-bin margin, and returns the chosen bin's upper edge (cast to the pixel type).
// - skimage maximises ω0·ω1·(μ0−μ1)² with cumulative sums over all bins and takes the first argmax;
//   ITK maximises Σ ω·μ² over thresholds 0…bins−2 with a 1-ULP tolerance, so near-ties can resolve to
//   a different bin.
// - skimage counts `image > threshold` as foreground too, but with a different threshold value the
//   masks differ on the voxels between the two thresholds.
// - skimage returns the single value of a constant image; ITK returns the first bin's upper edge.
import { floatAlmostEqual } from './float-compare.js';
import type { OtsuHistogram } from './histogram.js';

export interface OtsuSearchResult {
  /** Index of the chosen bin (0 … bins−2). */
  binIndex: number;
  /** `histogram->GetMaxs()[0][binIndex]`: the threshold as a double, before the pixel-type cast. */
  binMax: number;
  /** Between-class variance (ITK's Σ ω·μ² form) at the chosen bin. */
  varianceBetween: number;
}

/** `histogram->GetMeasurementVector(j)[0]`: the bin midpoint, (min + max) / 2. */
function measurement(h: OtsuHistogram, j: number): number {
  return (h.binMins[j]! + h.binMaxs[j]!) / 2.0;
}

/** `OtsuMultipleThresholdsCalculator::Compute()` with NumberOfThresholds = 1. */
export function otsuSearch(h: OtsuHistogram): OtsuSearchResult {
  const bins = h.bins;
  const freq = h.frequencies;
  const total = h.totalFrequency;

  let globalMean = 0;
  for (let j = 0; j < bins; j++) globalMean += measurement(h, j) * freq[j]!;
  globalMean /= total;

  // Initial classes: bin 0 | bins 1…n−1.
  let t = 0;
  let cf0 = freq[0]!;
  let cf1 = total - cf0;
  let cm0 = cf0 > 0 ? measurement(h, 0) : 0;
  const meanSum = cm0 * cf0;
  let cm1 = cf1 > 0 ? (globalMean * total - meanSum) / cf1 : 0;

  let maxVarBetween = 0;
  maxVarBetween += cf0 * (cm0 * cm0);
  maxVarBetween += cf1 * (cm1 * cm1);
  maxVarBetween /= total;
  let best = 0;

  // IncrementThresholds: the single threshold moves up to bins−2.
  while (t < bins - 2) {
    t++;
    const meanOld = cm0;
    const freqOld = cf0;
    cf0 += freq[t]!;
    cm0 = cf0 > 0 ? (meanOld * freqOld + measurement(h, t) * freq[t]!) / cf0 : 0;

    cf1 = total;
    cm1 = globalMean * total;
    cf1 -= cf0;
    cm1 -= cm0 * cf0;
    cm1 = cf1 > 0 ? cm1 / cf1 : 0;

    let varBetween = 0;
    varBetween += cf0 * (cm0 * cm0);
    varBetween += cf1 * (cm1 * cm1);
    varBetween /= total;

    if (varBetween > maxVarBetween && !floatAlmostEqual(maxVarBetween, varBetween, 1)) {
      maxVarBetween = varBetween;
      best = t;
    }
  }
  return { binIndex: best, binMax: h.binMaxs[best]!, varianceBetween: maxVarBetween };
}

// The intensity histogram drawn as bars (bins above the threshold in the overlay colour, the rest
// grey), with the threshold as a vertical line and the value range and threshold printed. Accepts
// the histogram of the Otsu step (ITK-style bins: per-bin min/max and counts). Owns this panel only.
import { OtsuError } from '../errors.js';
import { drawText, GLYPH_HEIGHT, textWidth } from './bitmap-font.js';
import { formatNumber } from './number-format.js';
import { Raster, type Rgb } from './raster.js';

/** The histogram the threshold was computed from (ITK's bins: [binMin[i], binMax[i]) with counts[i]). */
export interface ReportHistogram {
  binMin: ArrayLike<number>;
  binMax: ArrayLike<number>;
  counts: ArrayLike<number>;
  threshold: number;
}

/**
 * The report histogram from the Otsu step's result (`otsuThreshold`/`otsuMask` of the algorithm's
 * otsu module: `threshold` plus `histogram.{binMins, binMaxs, frequencies}`), typed structurally so
 * the report does not depend on that module.
 */
export function reportHistogramOf(r: {
  threshold: number;
  histogram: { binMins: ArrayLike<number>; binMaxs: ArrayLike<number>; frequencies: ArrayLike<number> };
}): ReportHistogram {
  return {
    binMin: r.histogram.binMins,
    binMax: r.histogram.binMaxs,
    counts: r.histogram.frequencies,
    threshold: r.threshold,
  };
}

export interface HistogramPlotOptions {
  width: number;
  height: number;
  /** Bar heights ∝ log(1 + count) (default; CT air would flatten everything else) or ∝ count. */
  scale: 'log' | 'linear';
  barColor: Rgb;
  foregroundColor: Rgb;
  thresholdColor: Rgb;
  textColor: Rgb;
  background: Rgb;
  /** Font scale of the labels. */
  textScale: number;
}

/** Pixel rectangle of the plotting area and the value→x mapping, for layout and tests. */
export interface HistogramFrame {
  left: number;
  top: number;
  width: number;
  height: number;
  min: number;
  max: number;
  /** x pixel of a value (clamped to the plot). */
  xOf(value: number): number;
}

export function checkHistogram(h: ReportHistogram): void {
  const n = h.counts.length;
  if (n === 0) throw new OtsuError('histogram has no bins');
  if (h.binMin.length !== n || h.binMax.length !== n) {
    throw new OtsuError(
      `histogram has ${n} counts but ${h.binMin.length} bin minima and ${h.binMax.length} bin maxima`,
    );
  }
  if (!Number.isFinite(h.threshold)) throw new OtsuError(`histogram threshold must be finite, got ${h.threshold}`);
  for (let i = 0; i < n; i++) {
    const c = h.counts[i]!;
    if (!(c >= 0) || !Number.isFinite(h.binMin[i]!) || !Number.isFinite(h.binMax[i]!)) {
      throw new OtsuError(`histogram bin ${i} is invalid (min ${h.binMin[i]}, max ${h.binMax[i]}, count ${c})`);
    }
  }
}

export function histogramFrame(
  h: ReportHistogram,
  o: Pick<HistogramPlotOptions, 'width' | 'height' | 'textScale'>,
): HistogramFrame {
  const line = (GLYPH_HEIGHT + 4) * o.textScale;
  const left = 8 * o.textScale;
  const top = line + 4;
  const width = Math.max(1, o.width - 2 * left);
  const height = Math.max(1, o.height - top - line - 4);
  const n = h.counts.length;
  const min = Math.min(h.binMin[0]!, h.binMin[n - 1]!);
  const max = Math.max(h.binMax[n - 1]!, h.binMax[0]!);
  const span = max > min ? max - min : 1;
  const xOf = (value: number): number => {
    const t = (value - min) / span;
    return left + Math.min(width - 1, Math.max(0, Math.floor(t * width)));
  };
  return { left, top, width, height, min, max, xOf };
}

/** The histogram drawn into `into` (o.width × o.height; filled with the background first), or a new raster. */
export function renderHistogram(h: ReportHistogram, o: HistogramPlotOptions, into?: Raster): Raster {
  checkHistogram(h);
  const r = into ?? new Raster(o.width, o.height, o.background);
  if (into) r.fillRect(0, 0, o.width, o.height, o.background);
  const f = histogramFrame(h, o);
  const n = h.counts.length;
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, h.counts[i]!);
  const level = (c: number): number =>
    peak === 0 ? 0 : o.scale === 'log' ? Math.log1p(c) / Math.log1p(peak) : c / peak;
  const bottom = f.top + f.height;
  for (let i = 0; i < n; i++) {
    const x0 = f.xOf(h.binMin[i]!);
    const x1 = Math.max(x0 + 1, f.xOf(h.binMax[i]!));
    const barHeight = Math.round(level(h.counts[i]!) * f.height);
    // Foreground is "above the threshold": a bin is drawn as foreground when its lower edge is.
    const color = h.binMin[i]! >= h.threshold ? o.foregroundColor : o.barColor;
    r.fillRect(x0, bottom - barHeight, x1 - x0, barHeight, color);
  }
  r.fillRect(f.left, bottom, f.width, 1, o.textColor);
  const tx = f.xOf(h.threshold);
  r.fillRect(tx, f.top, 1, f.height, o.thresholdColor);

  const s = o.textScale;
  const title = `HISTOGRAM (${o.scale === 'log' ? 'LOG' : 'LINEAR'} COUNTS)`;
  drawText(r, f.left, 2, title, o.textColor, s);
  const label = `THRESHOLD ${formatNumber(h.threshold)}`;
  const lw = textWidth(label, s);
  const lx = Math.min(Math.max(f.left, tx - Math.floor(lw / 2)), o.width - lw - 2);
  drawText(r, Math.max(lx, f.left + textWidth(title, s) + 4 * s), 2, label, o.thresholdColor, s);
  const minText = formatNumber(f.min);
  const maxText = formatNumber(f.max);
  drawText(r, f.left, bottom + 4, minText, o.textColor, s);
  drawText(r, f.left + f.width - textWidth(maxText, s), bottom + 4, maxText, o.textColor, s);
  return r;
}

// Lays out the report picture: a row of three panels (axial, coronal, sagittal middle slices with
// the mask overlay, each titled) and the histogram below, plus the same two parts separately for the
// HTML page. Owns layout, defaults and input checks; pixel work is in slice-views.ts and
// histogram-plot.ts.
import type { Image } from 'itk-wasm';
import { OtsuError } from '../errors.js';
import { drawText, GLYPH_HEIGHT } from './bitmap-font.js';
import { renderHistogram, type ReportHistogram } from './histogram-plot.js';
import { Raster, type Rgb } from './raster.js';
import { autoWindow, renderView, viewGeometries, type IntensityWindow, type ViewGeometry } from './slice-views.js';

export interface ReportRenderOptions {
  /** The intensity volume the mask was computed from (itk-wasm Image, 2-D or 3-D, scalar). */
  image: Image;
  /** The binary mask on the same grid (non-zero = foreground). */
  mask: Image;
  /** Histogram and threshold of the Otsu step. */
  histogram: ReportHistogram;
  /** Grey-level window; default: 1st–99th percentile of the image values. */
  window?: IntensityWindow;
  /** Overlay colour of the mask. Default red `[255, 0, 0]` (the SEG's recommended display colour). */
  overlayColor?: Rgb;
  /** Overlay opacity 0..1. Default 0.4. */
  overlayOpacity?: number;
  /** Edge of each slice panel in pixels. Default 256. */
  panelSize?: number;
  /** Histogram bar scale. Default `'log'`. */
  histogramScale?: 'log' | 'linear';
  /** Mask value that marks foreground. Default: any non-zero value. */
  foregroundValue?: number;
}

/** Where things are in the pictures, in pixels (for tests and anyone annotating further). */
export interface ReportLayout {
  /** Top-left corner of each view's square panel inside `slices` (and inside `composite`). */
  panels: { view: ViewGeometry; x: number; y: number; size: number }[];
  /** Top of the histogram inside `composite`. */
  histogramTop: number;
}

export interface ReportImages {
  slices: Raster;
  histogram: Raster;
  /** `slices` above `histogram`: the report.png. */
  composite: Raster;
  layout: ReportLayout;
  /** The window actually used. */
  window: IntensityWindow;
}

export const REPORT_COLORS = {
  background: [24, 24, 24] as Rgb,
  panel: [0, 0, 0] as Rgb,
  text: [230, 230, 230] as Rgb,
  bars: [150, 150, 150] as Rgb,
  threshold: [255, 210, 0] as Rgb,
};

const MARGIN = 8;
const TEXT_SCALE = 2;

function padded(v: readonly number[], fill: number): number[] {
  return [0, 1, 2].map((i) => v[i] ?? fill);
}

function checkPair(image: Image, mask: Image): void {
  for (const [what, img] of [
    ['image', image],
    ['mask', mask],
  ] as const) {
    if (img.data === null) throw new OtsuError(`${what} has no pixel data`);
    if (img.imageType.components !== 1) throw new OtsuError(`${what} must be scalar (one component per pixel)`);
    if (img.imageType.dimension !== 2 && img.imageType.dimension !== 3) {
      throw new OtsuError(`${what} must be 2-D or 3-D, it is ${img.imageType.dimension}-D`);
    }
    const n = img.size.reduce((a, b) => a * b, 1);
    if (img.data.length !== n) throw new OtsuError(`${what} has ${img.data.length} values but its size needs ${n}`);
  }
  if (image.size.join('x') !== mask.size.join('x')) {
    throw new OtsuError(`mask size ${mask.size.join('×')} differs from image size ${image.size.join('×')}`);
  }
}

export function renderReportImages(o: ReportRenderOptions): ReportImages {
  checkPair(o.image, o.mask);
  const panelSize = o.panelSize ?? 256;
  if (!Number.isInteger(panelSize) || panelSize < 16 || panelSize > 4096) {
    throw new OtsuError(`panel size must be an integer 16..4096, got ${panelSize}`);
  }
  const opacity = o.overlayOpacity ?? 0.4;
  if (!(opacity >= 0 && opacity <= 1)) throw new OtsuError(`overlay opacity must be 0..1, got ${opacity}`);
  const imageData = o.image.data as ArrayLike<number>;
  const window = o.window ?? autoWindow(imageData);
  if (!(window.width > 0) || !Number.isFinite(window.center)) {
    throw new OtsuError(`window must have a finite center and a positive width, got ${JSON.stringify(window)}`);
  }
  const overlayColor = o.overlayColor ?? [255, 0, 0];
  const size3 = padded(o.image.size, 1);
  const spacing3 = padded(o.image.spacing, 1);
  const views = viewGeometries(size3, Array.from(o.image.direction, Number), o.image.imageType.dimension);

  const labelHeight = (GLYPH_HEIGHT + 4) * TEXT_SCALE;
  const width = 3 * panelSize + 4 * MARGIN;
  const slicesHeight = labelHeight + panelSize + MARGIN;
  const histogramHeight = 200;
  // One raster: the slice row and the histogram are drawn straight into their bands of the composite.
  const composite = new Raster(width, slicesHeight + histogramHeight, REPORT_COLORS.background);
  const slices = composite.rows(0, slicesHeight);
  const viewOptions = {
    window,
    overlayColor,
    overlayOpacity: opacity,
    panelSize,
    background: REPORT_COLORS.panel,
    ...(o.foregroundValue === undefined ? {} : { foregroundValue: o.foregroundValue }),
  };
  const panels = views.map((view, k) => {
    const x = MARGIN + k * (panelSize + MARGIN);
    const y = labelHeight;
    const target = { raster: slices, x, y };
    renderView(view, imageData, o.mask.data as ArrayLike<number>, size3, spacing3, viewOptions, target);
    drawText(slices, x, 4, `${view.name} ${view.slice + 1}/${size3[view.normal]}`, REPORT_COLORS.text, TEXT_SCALE);
    return { view, x, y, size: panelSize };
  });

  const histogram = renderHistogram(
    o.histogram,
    {
      width,
      height: histogramHeight,
      scale: o.histogramScale ?? 'log',
      barColor: REPORT_COLORS.bars,
      foregroundColor: overlayColor,
      thresholdColor: REPORT_COLORS.threshold,
      textColor: REPORT_COLORS.text,
      background: REPORT_COLORS.background,
      textScale: TEXT_SCALE,
    },
    composite.rows(slicesHeight, histogramHeight),
  );
  return { slices, histogram, composite, layout: { panels, histogramTop: slicesHeight }, window };
}

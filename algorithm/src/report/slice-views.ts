// The three middle slices of a volume as a person expects to see them: axial (patient's right on
// the left, anterior up), coronal and sagittal (superior up), chosen from the image's direction
// cosines (LPS, as ITK), windowed to grey, with the mask blended in a translucent colour and each
// view scaled to a square panel with its physical aspect ratio kept (nearest neighbour). Owns the
// geometry and pixel mapping of the views; layout and text live in render.ts.
import { Raster, blendChannel, packRgba, type Rgb } from './raster.js';

export type ViewName = 'axial' | 'coronal' | 'sagittal';

/** One in-plane axis of a view: which index axis runs along it, and whether it runs backwards. */
interface ViewAxis {
  axis: number;
  flip: boolean;
}

export interface ViewGeometry {
  name: ViewName;
  /** Index axis perpendicular to the view; the slice shown is `floor(size[normal] / 2)`. */
  normal: number;
  slice: number;
  /** Left→right on screen. */
  horizontal: ViewAxis;
  /** Top→bottom on screen. */
  vertical: ViewAxis;
}

/** Grey-level window: values ≤ center − width/2 are black, ≥ center + width/2 white. */
export interface IntensityWindow {
  center: number;
  width: number;
}

/**
 * For each index axis, the patient axis (0 = x/L, 1 = y/P, 2 = z/S) it mostly runs along and its
 * sign. Direction is row-major (element [i*3+k] is patient component i of index axis k), as in
 * itk-wasm. Falls back to "index axis k is patient axis k" when the axes are too oblique to decide.
 */
export function patientAxes(direction: ArrayLike<number>, dimension: number): { patient: number; sign: 1 | -1 }[] {
  const at = (i: number, k: number): number => (dimension === 3 ? Number(direction[i * 3 + k] ?? 0) : i === k ? 1 : 0);
  const result = [0, 1, 2].map((k) => {
    let best = 0;
    for (let i = 1; i < 3; i++) if (Math.abs(at(i, k)) > Math.abs(at(best, k))) best = i;
    return { patient: best, sign: (at(best, k) < 0 ? -1 : 1) as 1 | -1 };
  });
  if (new Set(result.map((r) => r.patient)).size !== 3) {
    return [0, 1, 2].map((k) => ({ patient: k, sign: 1 as const }));
  }
  return result;
}

/** Axial, coronal and sagittal views of a volume of `size` with `direction` (2-D: z of size 1). */
export function viewGeometries(
  size: readonly number[],
  direction: ArrayLike<number>,
  dimension: number,
): ViewGeometry[] {
  const axes = patientAxes(direction, dimension);
  const indexOf = (patient: number): number => axes.findIndex((a) => a.patient === patient);
  const along = (patient: number, increasingUpOrLeft: boolean): ViewAxis => {
    const axis = indexOf(patient);
    const positive = axes[axis]!.sign > 0;
    return { axis, flip: increasingUpOrLeft ? positive : !positive };
  };
  const make = (name: ViewName, normalPatient: number, h: ViewAxis, v: ViewAxis): ViewGeometry => {
    const normal = indexOf(normalPatient);
    return { name, normal, slice: Math.floor((size[normal] ?? 1) / 2), horizontal: h, vertical: v };
  };
  // LPS: +x is the patient's left (shown on the right, radiological convention), +y posterior
  // (shown down in axial, right in sagittal), +z superior (shown up).
  return [
    make('axial', 2, along(0, false), along(1, false)),
    make('coronal', 1, along(0, false), along(2, true)),
    make('sagittal', 0, along(1, false), along(2, true)),
  ];
}

/** A window covering the 1st to 99th percentile of the values (sampled deterministically). */
export function autoWindow(data: ArrayLike<number>, maxSamples = 1 << 18): IntensityWindow {
  const n = data.length;
  if (n === 0) return { center: 0, width: 1 };
  const step = Math.max(1, Math.floor(n / maxSamples));
  const sample = new Float64Array(Math.ceil(n / step));
  let m = 0;
  for (let i = 0; i < n; i += step) sample[m++] = Number(data[i]);
  const sorted = sample.subarray(0, m).sort();
  const lo = sorted[Math.floor((m - 1) * 0.01)]!;
  const hi = sorted[Math.ceil((m - 1) * 0.99)]!;
  if (!(hi > lo)) return { center: lo, width: 1 };
  return { center: (lo + hi) / 2, width: hi - lo };
}

export interface ViewRenderOptions {
  window: IntensityWindow;
  overlayColor: Rgb;
  overlayOpacity: number;
  /** Edge of the square panel in pixels. */
  panelSize: number;
  background: Rgb;
  /** Mask value that marks foreground; undefined: any non-zero value. */
  foregroundValue?: number;
}

/** Where a view's picture sits inside its panel (pixels), for layout and tests. */
export interface ViewPlacement {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Size and offset of a view inside a `panel`-pixel square, keeping the physical aspect ratio. */
export function placeView(
  view: ViewGeometry,
  size: readonly number[],
  spacing: readonly number[],
  panel: number,
): ViewPlacement {
  const nh = size[view.horizontal.axis] ?? 1;
  const nv = size[view.vertical.axis] ?? 1;
  const eh = nh * (spacing[view.horizontal.axis] ?? 1);
  const ev = nv * (spacing[view.vertical.axis] ?? 1);
  const scale = Math.min(panel / eh, panel / ev);
  const width = Math.max(1, Math.min(panel, Math.round(eh * scale)));
  const height = Math.max(1, Math.min(panel, Math.round(ev * scale)));
  return { x: Math.floor((panel - width) / 2), y: Math.floor((panel - height) / 2), width, height };
}

/** Index of the voxel shown at panel pixel (px, py) of a view placed at `p`, or -1 outside it. */
export function voxelAt(view: ViewGeometry, size: readonly number[], p: ViewPlacement, px: number, py: number): number {
  const u = px - p.x;
  const v = py - p.y;
  if (u < 0 || v < 0 || u >= p.width || v >= p.height) return -1;
  const nh = size[view.horizontal.axis] ?? 1;
  const nv = size[view.vertical.axis] ?? 1;
  let ih = Math.min(nh - 1, Math.floor(((u + 0.5) * nh) / p.width));
  let iv = Math.min(nv - 1, Math.floor(((v + 0.5) * nv) / p.height));
  if (view.horizontal.flip) ih = nh - 1 - ih;
  if (view.vertical.flip) iv = nv - 1 - iv;
  const index = [0, 0, 0];
  index[view.normal] = view.slice;
  index[view.horizontal.axis] = ih;
  index[view.vertical.axis] = iv;
  return index[0]! + (size[0] ?? 1) * (index[1]! + (size[1] ?? 1) * index[2]!);
}

/** Grey level 0..255 of `value` in `w`. */
export function windowed(value: number, w: IntensityWindow): number {
  const lo = w.center - w.width / 2;
  const g = ((value - lo) / w.width) * 255;
  return g <= 0 ? 0 : g >= 255 ? 255 : Math.round(g);
}

/** Panel-pixel offset → voxel index along one in-plane axis (voxelAt's mapping), times that axis's stride. */
function axisOffsets(axis: ViewAxis, n: number, pixels: number, stride: number): Int32Array {
  const out = new Int32Array(pixels);
  for (let u = 0; u < pixels; u++) {
    let k = Math.min(n - 1, Math.floor(((u + 0.5) * n) / pixels));
    if (axis.flip) k = n - 1 - k;
    out[u] = k * stride;
  }
  return out;
}

/** Where renderView draws: the panel's top-left corner (x, y) inside `raster`. */
export interface PanelTarget {
  raster: Raster;
  x: number;
  y: number;
}

/**
 * One view rendered into a square panel of `target.raster` at (x, y). `size3` is the image size
 * padded to three axes. Each panel pixel shows the voxel voxelAt() names; a panel row showing the
 * same voxel row as the one above it (nearest-neighbour upscaling) is copied, and a run of panel
 * columns showing one voxel filled, not computed again.
 */
export function renderView(
  view: ViewGeometry,
  image: ArrayLike<number | bigint>,
  mask: ArrayLike<number | bigint>,
  size3: readonly number[],
  spacing3: readonly number[],
  o: ViewRenderOptions,
  target: PanelTarget,
): void {
  const { raster, x, y } = target;
  raster.fillRect(x, y, o.panelSize, o.panelSize, o.background);
  const p = placeView(view, size3, spacing3, o.panelSize);
  const strides = [1, size3[0] ?? 1, (size3[0] ?? 1) * (size3[1] ?? 1)];
  const h = view.horizontal;
  const v = view.vertical;
  const columns = axisOffsets(h, size3[h.axis] ?? 1, p.width, strides[h.axis]!);
  const rows = axisOffsets(v, size3[v.axis] ?? 1, p.height, strides[v.axis]!);
  const base = view.slice * strides[view.normal]!;
  const runs = columnRuns(columns);
  const words = raster.words();
  const { overlayColor: c, overlayOpacity: a, foregroundValue: fg } = o;
  for (let row = 0; row < p.height; row++) {
    const at = (y + p.y + row) * raster.width + x + p.x;
    if (row > 0 && rows[row] === rows[row - 1]) {
      words.copyWithin(at, at - raster.width, at - raster.width + p.width);
      continue;
    }
    const rowBase = base + rows[row]!;
    for (let r = 0; r < runs.length - 1; r++) {
      const start = runs[r]!;
      const i = rowBase + columns[start]!;
      const g = windowed(Number(image[i]), o.window);
      const mv = Number(mask[i]);
      const inMask = fg === undefined ? mv !== 0 : mv === fg;
      const colour = inMask
        ? packRgba(blendChannel(g, c[0], a), blendChannel(g, c[1], a), blendChannel(g, c[2], a))
        : packRgba(g, g, g);
      const end = runs[r + 1]!;
      if (end - start === 1) words[at + start] = colour;
      else words.fill(colour, at + start, at + end);
    }
  }
}

/**
 * Where the runs of equal entries of `columns` start, and its length at the end: panel columns that
 * show the same voxel (an upscaled view) get one colour computed once and filled, so a small image's
 * views cost a few hundred colour computations, not one per panel pixel.
 */
function columnRuns(columns: Int32Array): Int32Array {
  let n = 0;
  for (let u = 0; u < columns.length; u++) if (u === 0 || columns[u] !== columns[u - 1]) n++;
  const starts = new Int32Array(n + 1);
  for (let u = 0, k = 0; u < columns.length; u++) if (u === 0 || columns[u] !== columns[u - 1]) starts[k++] = u;
  starts[n] = columns.length;
  return starts;
}

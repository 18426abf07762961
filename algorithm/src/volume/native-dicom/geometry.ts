// Geometry as GDCM/ITK give it: spacing from Pixel Spacing (Imager Pixel Spacing for CR), swapped to
// column/row order, 0 → 1; third spacing Spacing Between Slices for one file, |last IPP − first IPP|
// / (n − 1) for a series (1 when the first and last sorted positions coincide); origin = IPP of the
// first slice; direction = IOP orthogonalised as GDCMImageIO does. Owns reading those elements and
// working out spacing, origin and direction.
import type dicomParser from 'dicom-parser';
import { decimalStrings, decimals, rawString } from './elements.js';
import type { SliceInfo } from './slice-info.js';

/** GDCM's DirectionCosines::IsValid: unit row/column vectors (±1e-3), orthogonal (±1e-3). */
export function validCosines(c: number[]): boolean {
  const n1 = c[0]! * c[0]! + c[1]! * c[1]! + c[2]! * c[2]!;
  const n2 = c[3]! * c[3]! + c[4]! * c[4]! + c[5]! * c[5]!;
  const dot = c[0]! * c[3]! + c[1]! * c[4]! + c[2]! * c[5]!;
  return Math.abs(n1 - 1) < 1e-3 && Math.abs(n2 - 1) < 1e-3 && Math.abs(dot) < 1e-3;
}

/** In-plane spacing as GDCM's ImageHelper::GetSpacingValue reads it, in ITK order (columns, rows). */
export function readInPlaneSpacing(ds: dicomParser.DataSet, tags: string[]): [number, number] | undefined {
  const tag = tags.find((t) => ds.elements[t] !== undefined);
  const raw = tag === undefined ? undefined : rawString(ds, tag);
  if (raw === undefined) return [1, 1];
  const values = decimalStrings(raw);
  if (values === undefined) return undefined;
  if (values.length === 0) return [1, 1];
  let rowSpacing: number;
  let columnSpacing: number;
  if (raw.includes('\\')) {
    if (values.length !== 2) return undefined;
    [rowSpacing, columnSpacing] = values as [number, number];
  } else {
    rowSpacing = columnSpacing = values[0]!;
  }
  const fix = (v: number) => (v === 0 ? 1 : v);
  const spacing: [number, number] = [fix(columnSpacing), fix(rowSpacing)];
  // ITK flips the axis of a negative spacing: not reproduced.
  return spacing[0] > 0 && spacing[1] > 0 ? spacing : undefined;
}

/** Third spacing of a single slice: Spacing Between Slices (0018,0088), else 1. */
export function readSliceSpacing(ds: dicomParser.DataSet): number | undefined {
  // Frame Increment Pointer: GDCM follows it (multi-frame); not reproduced.
  if (ds.elements['x00280009']) return undefined;
  const z = decimals(ds, 'x00180088', 1);
  if (z === undefined) return undefined;
  if (z === 'absent') return 1;
  return z[0]! > 0 ? z[0] : undefined;
}

function cross(a: number[], b: number[]): number[] {
  return [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
}

/** vnl_c_vector::normalize: multiply by 1 / sqrt(sum of squares). */
function normalize(v: number[]): number[] {
  let sum = 0;
  for (const x of v) sum += x * x;
  if (sum === 0) return v;
  const k = 1 / Math.sqrt(sum);
  return v.map((x) => k * x);
}

/**
 * GDCMImageIO's direction: slice = row × column, normalised; row = column × slice, normalised;
 * column = slice × row. Row-major 3×3 matrix whose columns are the axes (itk-wasm's layout).
 */
export function directionOf(cosines: number[]): Float64Array {
  const rowIn = cosines.slice(0, 3);
  const colIn = cosines.slice(3, 6);
  const slice = normalize(cross(rowIn, colIn));
  const row = normalize(cross(colIn, slice));
  const col = cross(slice, row);
  const d = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    d[3 * r] = row[r]!;
    d[3 * r + 1] = col[r]!;
    d[3 * r + 2] = slice[r]!;
  }
  // ImageBase::SetDirection writes only the elements that differ (!=) from the identity it starts
  // with, so a −0 off the diagonal stays +0.
  for (let i = 0; i < 9; i++) if (d[i] === 0 && i % 4 !== 0) d[i] = 0;
  return d;
}

/** itk-wasm hands origin and spacing over as JSON, where a −0 comes back as 0 (observed). */
export function jsonNumbers(values: number[]): number[] {
  return values.map((v) => v + 0);
}

/**
 * ImageSeriesReader: spacing between slices = |IPP(last) − IPP(first)| / (n − 1) (Vector::GetNorm),
 * or 1 when that distance is Math::AlmostEquals to 0 (FloatAlmostEqual: |d| ≤ 0.1·ε, the ULP test
 * adds nothing next to 0), as when every slice has the same position.
 */
export function seriesSliceSpacing(first: SliceInfo, last: SliceInfo, n: number): number {
  let sum = 0;
  for (let j = 0; j < 3; j++) {
    const d = last.position[j]! - first.position[j]!;
    sum += d * d;
  }
  const norm = Math.sqrt(sum);
  return norm <= 0.1 * Number.EPSILON ? 1 : norm / (n - 1);
}

// ITK's image geometry from the parsed NRRD header: spacing (from "space directions" or "spacings"),
// origin, and the direction matrix in itk-wasm's row-major layout, with the coordinate flips ITK
// applies to right-/left-anterior-superior spaces (itk-wasm keeps the −0 they make).
import { decline } from './decline.js';
import type { Header } from './fields.js';

/**
 * ITK's geometry (NrrdImageIO::ReadImageInformation) for the parsed header. With "space"/"space
 * dimension" (must equal the number of axes) and "space directions", spacing = |v| (sqrt of the
 * summed squares), direction = (1/|v|)·v, as column j of the row-major direction matrix; origin =
 * "space origin"; in right-anterior-superior space the first two coordinates of directions and
 * origin are negated (left-anterior-superior: the first), so −0 appears where a zero is flipped,
 * and itk-wasm keeps it. Without space: "spacings" (any non-zero value, negative too), identity
 * direction, origin 0. Defaults spacing 1, origin 0.
 */
export function geometry(h: Header, dim: number): { spacing: number[]; origin: number[]; direction: Float64Array } {
  const spacing = new Array<number>(dim).fill(1);
  const origin = new Array<number>(dim).fill(0);
  // Columns: axis directions (ImageIOBase's default is the identity).
  const axes: number[][] = Array.from({ length: dim }, (_, i) =>
    Array.from({ length: dim }, (_, j) => (i === j ? 1 : 0)),
  );
  if (h.spaceDim > 0) {
    if (h.spaceDim !== dim) decline(`space dimension ${h.spaceDim} for ${dim} axes`);
    if (h.spacings) decline('spacings with a space');
    const flip = h.space?.flip ?? [1, 1];
    if (h.directions) {
      for (let i = 0; i < dim; i++) {
        const v = h.directions[i]!;
        let nn = 0;
        for (let d = 0; d < dim; d++) nn += v[d]! * v[d]!;
        const s = Math.sqrt(nn);
        if (!(s > 0 && Number.isFinite(s))) decline(`space direction ${i} of length ${s}`);
        const scale = 1.0 / s;
        const dir = v.map((c) => scale * c);
        if (!dir.every(Number.isFinite)) decline('non-finite direction');
        if (dim === 3) {
          dir[0] = dir[0]! * flip[0];
          dir[1] = dir[1]! * flip[1];
        }
        spacing[i] = s;
        axes[i] = dir;
      }
    }
    if (h.origin) {
      for (let d = 0; d < dim; d++) origin[d] = h.origin[d]!;
      if (dim === 3) {
        origin[0] = origin[0]! * flip[0];
        origin[1] = origin[1]! * flip[1];
      }
    }
  } else {
    if (h.spacings) for (let i = 0; i < dim; i++) spacing[i] = h.spacings[i]!;
  }
  // itk-wasm's direction: row-major, element (row j, column i) = component j of axis i.
  const direction = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) direction[j * dim + i] = axes[i]![j]!;
  return { spacing, origin, direction };
}

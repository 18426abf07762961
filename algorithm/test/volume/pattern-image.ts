// Small scalar itk-wasm Images with a fixed voxel pattern (values −100…150, +0.25 for floats), for the
// NRRD encoder and reader tests.
import { Image, ImageType, PixelTypes } from 'itk-wasm';
import { SCALAR_ARRAYS, type ScalarArray, type ScalarComponentType } from '../../src/otsu/index.js';

export interface Geometry {
  spacing: number[];
  origin: number[];
  direction: number[];
}

/** An image of `componentType` and size `dims` (itk-wasm's default geometry unless `geometry`). */
export function patternImage(
  componentType: string,
  dims: number[],
  geometry?: Geometry,
): Image & { data: ScalarArray } {
  const type = componentType as ScalarComponentType;
  const img = new Image(new ImageType(dims.length, type, PixelTypes.Scalar, 1));
  img.size = dims;
  if (geometry) {
    img.spacing = geometry.spacing;
    img.origin = geometry.origin;
    img.direction = Float64Array.from(geometry.direction);
  }
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new SCALAR_ARRAYS[type](n);
  for (let i = 0; i < n; i++) data[i] = ((i * 2654435761) % 251) - 100 + (type.startsWith('float') ? 0.25 : 0);
  img.data = data;
  return img as Image & { data: ScalarArray };
}

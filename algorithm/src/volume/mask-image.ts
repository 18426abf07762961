// Builds the uint8 mask Image on the grid of its source image (same size, spacing, origin and
// direction; itk-wasm's layout), the form the NRRD writer, the SEG writer and the report take.
// Images are plain objects of itk-wasm's `Image` shape (the class only sets defaults), so building
// one does not load itk-wasm (~40 ms of module loading on a run that may need no WebAssembly).
import type { Image } from 'itk-wasm';

/** A scalar itk-wasm `Image` with the given type, grid and voxels. */
export function scalarImage(
  componentType: 'uint8' | 'int16',
  grid: {
    size: readonly number[];
    spacing: readonly number[];
    origin: readonly number[];
    direction: ArrayLike<number | bigint>;
  },
  data: Uint8Array | Int16Array,
  name: string,
): Image {
  return {
    imageType: { dimension: grid.size.length, componentType, pixelType: 'Scalar', components: 1 },
    name,
    origin: [...grid.origin],
    spacing: [...grid.spacing],
    direction: Float64Array.from(grid.direction, Number),
    size: [...grid.size],
    metadata: new Map(),
    data,
  } as Image;
}

export function maskImage(source: Image, mask: Uint8Array): Image {
  return scalarImage('uint8', source, mask, 'mask');
}

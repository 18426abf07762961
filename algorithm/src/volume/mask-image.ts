// Builds the uint8 mask Image on the grid of its source image (same size, spacing, origin and
// direction; itk-wasm's layout), the form the NRRD writer, the SEG writer and the report take.
import { Image, ImageType, IntTypes, PixelTypes } from 'itk-wasm';

export function maskImage(source: Image, mask: Uint8Array): Image {
  const type = new ImageType(source.imageType.dimension, IntTypes.UInt8, PixelTypes.Scalar, 1);
  const image = new Image(type);
  image.name = 'mask';
  image.origin = [...source.origin];
  image.spacing = [...source.spacing];
  image.direction = Float64Array.from(source.direction as ArrayLike<number>);
  image.size = [...source.size];
  image.data = mask;
  return image;
}

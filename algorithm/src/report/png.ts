// PNG encoding and decoding of a Raster with pngjs (8-bit RGBA, no interlace). Owns the codec call only.
import pngjs from 'pngjs';
import { Raster } from './raster.js';

const { PNG } = pngjs;

export function encodePng(r: Raster): Uint8Array {
  const png = new PNG({ width: r.width, height: r.height, colorType: 6, inputColorType: 6, bitDepth: 8 });
  png.data = Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
  return new Uint8Array(PNG.sync.write(png, { colorType: 6, inputColorType: 6, bitDepth: 8 }));
}

/** A PNG back into a Raster (8-bit RGBA), e.g. to check what was written. */
export function decodePng(bytes: Uint8Array): Raster {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const r = new Raster(png.width, png.height);
  r.data.set(png.data);
  return r;
}

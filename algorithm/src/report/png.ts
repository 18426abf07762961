// PNG encoding and decoding of a Raster with pngjs (written as 8-bit RGB, read back as RGBA, no interlace). Owns the codec call only.
import pngjs from 'pngjs';
import { Raster } from './raster.js';

const { PNG } = pngjs;

/**
 * The raster as an 8-bit RGB PNG (the report is opaque: no alpha channel) with the Paeth filter on
 * every row. pngjs's default tries all five filters per row and keeps the best; on the report's
 * flat panels Paeth is what it picks anyway (same size within 3 %), at a third of the work on a cold
 * run, where this encoding was the largest single cost of a per-series run.
 */
export function encodePng(r: Raster): Uint8Array {
  const rgb = Buffer.alloc(r.width * r.height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    rgb[j] = r.data[i]!;
    rgb[j + 1] = r.data[i + 1]!;
    rgb[j + 2] = r.data[i + 2]!;
  }
  const png = new PNG({ width: r.width, height: r.height, colorType: 2, inputColorType: 2, bitDepth: 8 });
  png.data = rgb;
  return new Uint8Array(PNG.sync.write(png, { colorType: 2, inputColorType: 2, bitDepth: 8, filterType: 4 }));
}

/** A PNG back into a Raster (8-bit RGBA), e.g. to check what was written. */
export function decodePng(bytes: Uint8Array): Raster {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const r = new Raster(png.width, png.height);
  r.data.set(png.data);
  return r;
}

// Decodes a PNG back into a Raster (8-bit RGBA) with pngjs, to check what the report wrote
// independently of our own encoder (src/report/png.ts).
import pngjs from 'pngjs';
import { Raster } from '../../src/report/raster.js';

export function decodePng(bytes: Uint8Array): Raster {
  const png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const r = new Raster(png.width, png.height);
  r.data.set(png.data);
  return r;
}

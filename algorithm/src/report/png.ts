// PNG encoding of a Raster: 8-bit RGBA (alpha always 255: the report is opaque), no interlace, filter
// type 0 (None) on every row, one IDAT deflated by node:zlib. Hand-rolled instead of pngjs (which
// the tests still use to decode) for a measured reason: on a cold per-series run the encoding was the
// largest single cost (pngjs converts and filters every byte in JavaScript that has not been compiled
// yet: ~190 ms of a 1.8 s profiled run for the three pictures of the report); here every row is one
// native copy and the deflate is native, so encoding the same pictures takes a few milliseconds.
// The price is size: unfiltered RGBA at deflate level 1 makes report.png of series/ct5n 34 KB instead
// of pngjs's 7 KB (RGB, Paeth); flat panels and backgrounds still compress well.
// The report's three pictures are one raster and two bands of its rows: encodePngs builds the raw rows
// once for all three.
import * as zlib from 'node:zlib';
import type { Raster } from './raster.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let crcTable: Int32Array | undefined;

/**
 * CRC-32 (ISO 3309, as PNG chunks use) of `bytes`: node's own (zlib's) where there is one (Node ≥
 * 20.15), else a table-driven loop (which a cold run interprets, then has TurboFan compile).
 */
function crc32(bytes: Uint8Array): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(bytes);
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** One PNG chunk: length, type, data, CRC of type + data. */
function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** PNG's raw image data of `r`: each row a filter byte (0, None) followed by the row's pixels. */
function rawRows(r: Raster): Buffer {
  const stride = r.width * 4;
  const raw = Buffer.alloc((stride + 1) * r.height);
  for (let y = 0; y < r.height; y++) raw.set(r.data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  return raw;
}

/** The PNG file of a width × height RGBA image whose raw rows (see {@link rawRows}) are `raw`. */
function pngOfRaw(width: number, height: number, raw: Uint8Array): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type 6 (RGBA), deflate, filter method 0, no interlace
  const idat = zlib.deflateSync(raw, { level: 1 }); // fastest: the report is small either way
  return Buffer.concat([
    Buffer.from(SIGNATURE),
    chunk('IHDR', header),
    chunk('IDAT', idat),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** The raster as an 8-bit RGBA PNG. */
export function encodePng(r: Raster): Uint8Array {
  return pngOfRaw(r.width, r.height, rawRows(r));
}

/**
 * PNGs of `whole` and of `parts`, each the same bytes {@link encodePng} gives. A part that is a band
 * of whole rows of `whole` (a `Raster.rows` view, as the report's slice row and histogram are of
 * its composite) reuses the composite's raw rows instead of copying its pixels again.
 */
export function encodePngs(whole: Raster, parts: readonly Raster[]): { whole: Uint8Array; parts: Uint8Array[] } {
  const raw = rawRows(whole);
  const rowBytes = whole.width * 4;
  return {
    whole: pngOfRaw(whole.width, whole.height, raw),
    parts: parts.map((p) => {
      const offset = p.data.byteOffset - whole.data.byteOffset;
      const band =
        p.data.buffer === whole.data.buffer &&
        p.width === whole.width &&
        offset >= 0 &&
        offset % rowBytes === 0 &&
        offset / rowBytes + p.height <= whole.height;
      if (!band) return encodePng(p);
      const top = offset / rowBytes;
      return pngOfRaw(p.width, p.height, raw.subarray(top * (rowBytes + 1), (top + p.height) * (rowBytes + 1)));
    }),
  };
}

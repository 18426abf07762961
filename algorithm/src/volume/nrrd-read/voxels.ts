// The voxel data as NrrdIO reads it: raw or gzip, attached or in the data file, after "line skip"
// and "byte skip", big endian swapped; the voxels go into allocateVolumeArray's arrays (2^22
// voxels or more: shared memory, for the two-thread Otsu). Bounded by the header: the declared size is
// checked against the file before allocating, and gzip data inflates no further than declared.
import { gunzipSync } from 'node:zlib';
import { allocateVolumeArray, SCALAR_ARRAYS, type ScalarArray } from '../../otsu/index.js';
import { OtsuError } from '../../errors.js';
import { decline } from './decline.js';
import type { ComponentType } from './enums.js';
import type { Header } from './fields.js';
import { readFully } from '../read-fully.js';

/** `n` voxels of `type`, from allocateVolumeArray (shared memory for large volumes). */
export function allocate(type: ComponentType, n: number): ScalarArray {
  return allocateVolumeArray(SCALAR_ARRAYS[type], n);
}

/** Position after `count` lines (airOneLine) from `pos` in `b`; each must be terminated. */
function skipLines(b: Uint8Array, pos: number, count: number): number {
  let p = pos;
  for (let k = 0; k < count; k++) {
    let i = p;
    while (i < b.length && b[i] !== 0x0a && b[i] !== 0x0d) i++;
    if (i >= b.length) decline('line skip runs into the end of the file');
    p = i + 1;
    if (b[i] === 0x0d && p < b.length && b[p] === 0x0a) p++;
  }
  return p;
}

/**
 * Fills `bytes` (the voxels as stored) from the data file `fd`, starting at `pos`, as NrrdIO reads it:
 * raw or gzip (concatenated members), "line skip" lines (\n, \r, \r\n) and "byte skip" bytes before
 * raw data, byte skip inside the gunzipped stream for gzip, "byte skip: -N-1" (raw: the data end N
 * bytes before the end of the file).
 */
export function readVoxels(
  h: Header,
  fd: number,
  fileSize: number,
  pos: number,
  bytes: Uint8Array,
  file: string,
): void {
  let start = pos;
  if (h.lineSkip > 0) {
    if (h.byteSkip < 0) decline('line skip with negative byte skip');
    const whole = new Uint8Array(fileSize);
    if (!readFully(fd, whole, 0)) decline('data file shorter than its size');
    start = skipLines(whole, pos, h.lineSkip);
  }
  if (h.encoding === 'raw') {
    if (h.byteSkip >= 0) start += h.byteSkip;
    else start = fileSize - bytes.length - (-h.byteSkip - 1);
    if (start < 0 || start + bytes.length > fileSize) decline('raw data extends past the end of the file');
    if (!readFully(fd, bytes, start)) decline('short read');
    return;
  }
  // gzip: NrrdIO (gzio.c) reads the members in sequence, skipping byteSkip bytes of the inflated
  // stream, and passes bytes that do not start with the gzip magic through as they are (hence the
  // magic check). node's gunzip inflates the same members and throws on anything else (corrupt
  // data, a bad CRC or length, bytes after the last member): those files are declined.
  if (h.byteSkip < 0) decline('negative byte skip with gzip');
  if (fileSize - start < 2) decline('no gzip data');
  const compressed = new Uint8Array(fileSize - start);
  if (!readFully(fd, compressed, start)) decline('short read');
  if (compressed[0] !== 0x1f || compressed[1] !== 0x8b) decline('gzip data without gzip magic');
  const need = h.byteSkip + bytes.length;
  let inflated: Buffer;
  try {
    // Inflation stops one byte past what the header declares: a stream that inflates further (a
    // "gzip bomb") is an error instead of gigabytes of memory.
    inflated = gunzipSync(compressed, {
      chunkSize: Math.max(64, Math.min(need + 1024, 1 << 24)),
      maxOutputLength: need + 1,
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new OtsuError(`gzip data inflates to more than the ${need} bytes the header declares`, { file });
    }
    decline(`gunzip: ${(e as Error).message}`);
  }
  if (inflated.length !== need)
    throw new OtsuError(`gzip data inflates to ${inflated.length} bytes, the header declares ${need}`, { file });
  bytes.set(inflated.subarray(h.byteSkip, need));
}

/** The DEFLATE format's largest expansion: 1032 output bytes per input byte (zlib's tech notes). */
const MAX_DEFLATE_RATIO = 1032;

/**
 * Checked before the voxel buffer is allocated: the data the header declares (`dataBytes` plus the
 * byte skip) must fit into what follows `pos` in the file — as stored (raw) or as the most gzip data
 * of that size can inflate to. An OtsuError naming `file` otherwise.
 */
export function checkDeclaredSize(h: Header, dataBytes: number, fileSize: number, pos: number, file: string): void {
  const available = fileSize - pos;
  const need = dataBytes + Math.max(h.byteSkip, 0);
  if (h.encoding === 'raw' && need > available) {
    throw new OtsuError(
      `the header declares ${need} bytes of raw data, the file has ${Math.max(available, 0)} after the header`,
      { file },
    );
  }
  if (h.encoding !== 'raw' && need > available * MAX_DEFLATE_RATIO) {
    throw new OtsuError(
      `the header declares ${need} bytes, more than ${Math.max(available, 0)} bytes of gzip data can hold`,
      { file },
    );
  }
}

export function swapBytes(data: ScalarArray): void {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data.BYTES_PER_ELEMENT === 2) b.swap16();
  else if (data.BYTES_PER_ELEMENT === 4) b.swap32();
  else if (data.BYTES_PER_ELEMENT === 8) b.swap64();
}

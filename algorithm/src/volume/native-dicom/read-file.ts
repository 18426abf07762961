// File access of the native reader: the whole-file parse (deflate inflated with node:zlib) of a file
// the scan did not summarise, and reading only a slice's pixel bytes at the place the scan found them.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import type dicomParser from 'dicom-parser';
import { parseDicomBytes } from '../dicom-parse.js';
import { readFully } from '../read-fully.js';
import { sliceHeader } from './header.js';
import type { SliceInfo } from './slice-info.js';

export function sliceBytes(info: SliceInfo): number {
  return info.rows * info.columns * (info.format.bitsAllocated / 8);
}

/** Reads and parses the whole file; undefined when it is outside what this reader reproduces. */
export function wholeFileSlice(path: string): { info: SliceInfo; pixels: Uint8Array } | undefined {
  const bytes = readFileSync(path);
  let ds: dicomParser.DataSet;
  try {
    ({ ds } = parseDicomBytes(bytes));
  } catch {
    return undefined;
  }
  const slice = sliceHeader(ds, path);
  if (!slice) return undefined;
  const start = slice.pixels.dataOffset;
  const end = start + sliceBytes(slice.info);
  if (end > ds.byteArray.length) return undefined;
  return { info: slice.info, pixels: ds.byteArray.subarray(start, end) };
}

/**
 * Reads `length` bytes at `offset` of `path` into `into` (or a new array); undefined when the file is
 * no longer `fileSize` bytes long or ends early.
 */
export function readRegion(
  path: string,
  fileSize: number,
  offset: number,
  length: number,
  into?: Uint8Array,
): Uint8Array | undefined {
  const fd = openSync(path, 'r');
  try {
    if (fstatSync(fd).size !== fileSize) return undefined;
    const out = into ?? new Uint8Array(length);
    return readFully(fd, out, offset) ? out : undefined;
  } finally {
    closeSync(fd);
  }
}

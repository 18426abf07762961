// Reading a given stretch of an open file (readSync in pieces of at most 1 GiB, until it is full or
// the file ends): for the DICOM header scan, the native DICOM reader's pixel bytes and the NRRD
// reader's header and voxels.
import { readSync } from 'node:fs';

/** Reads up to `out.length` bytes at `position` of `fd` into `out`; returns how many (fewer at the end of the file). */
export function readAt(fd: number, out: Uint8Array, position: number): number {
  let done = 0;
  while (done < out.length) {
    const n = readSync(fd, out, done, Math.min(out.length - done, 1 << 30), position + done);
    if (n <= 0) break;
    done += n;
  }
  return done;
}

/** Reads `out.length` bytes at `position` of `fd` into `out` (false when the file is shorter). */
export function readFully(fd: number, out: Uint8Array, position: number): boolean {
  return readAt(fd, out, position) === out.length;
}

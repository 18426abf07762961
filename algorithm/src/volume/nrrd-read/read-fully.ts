// Reading a given stretch of an open file completely (readSync in pieces of at most 1 GiB), for the
// header and the voxel data.
import { readSync } from 'node:fs';

/** Reads `length` bytes at `position` of `fd` into `out` (false when the file is shorter). */
export function readFully(fd: number, out: Uint8Array, position: number): boolean {
  let done = 0;
  while (done < out.length) {
    const n = readSync(fd, out, done, Math.min(out.length - done, 1 << 30), position + done);
    if (n <= 0) return false;
    done += n;
  }
  return true;
}

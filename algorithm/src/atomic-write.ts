// How kaapana-otsu puts a file on disk: the bytes go to a temporary name in the target directory and
// are renamed into place, so a reader never sees half a file and a failure leaves none. No fsync
// (ITK's writers do not sync either, and the CLI's outputs are staged and moved in together anyway,
// pipeline/staging-dir.ts). Synchronous: each asynchronous file operation is a thread-pool round trip
// that costs more than the operation itself for files of this size.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from './random-bytes.js';

/** Writes `data` to `file` atomically (parent directories created). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(tmp, data, { flag: 'wx' });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

// Writes an itk-wasm Image as gzip-compressed NRRD exactly as ITK's NRRDImageIO writes it: 3-D
// scalar images (every mask) through nrrd-encode.ts, anything else through ITK's own writer
// (@itk-wasm/image-io's nrrd-write-image pipeline). The file appears
// atomically: the encoded bytes are written under a temporary name in the same directory, then
// renamed (no fsync, like ITK's own writer). The few small file operations are synchronous: each
// asynchronous one is a thread-pool round trip that costs more than the operation itself here.
// Owns the NRRD output only.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Image } from 'itk-wasm';
import { KxError, errorMessage } from '@kaapana-ext/core';
import { encodeNrrd } from './nrrd-encode.js';
import { writeNrrdCached } from './wasm-pipelines.js';

export async function writeNrrdAtomic(image: Image, file: string): Promise<void> {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp.nrrd`);
  try {
    // The extension picks the ImageIO, so the name handed to the writer keeps ".nrrd".
    const bytes = encodeNrrd(image) ?? (await writeNrrdCached(image, basename(tmp)));
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, bytes, { flag: 'wx' });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new KxError(`cannot write ${basename(file)}: ${errorMessage(e)}`, { file });
  }
}

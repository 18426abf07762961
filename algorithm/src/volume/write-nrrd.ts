// Writes an itk-wasm Image as gzip-compressed NRRD through ITK's NRRDImageIO (@itk-wasm/image-io's
// nrrd-write-image pipeline),
// so spacing, origin and direction are written exactly as ITK/SimpleITK would. The file appears
// atomically: written under a temporary name in the same directory, then renamed.
// Owns the NRRD output only.
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Image } from 'itk-wasm';
import { KxError, errorMessage } from '@kaapana-ext/core';
import { writeNrrdCached } from './wasm-pipelines.js';

export async function writeNrrdAtomic(image: Image, file: string): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  // The extension picks the ImageIO, so the temporary name keeps ".nrrd".
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp.nrrd`);
  try {
    await writeNrrdCached(image, tmp);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new KxError(`cannot write ${basename(file)}: ${errorMessage(e)}`, { file });
  }
}

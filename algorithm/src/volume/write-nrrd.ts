// Writes an itk-wasm Image as gzip-compressed NRRD exactly as ITK's NRRDImageIO writes it: 3-D
// scalar images (every mask) through nrrd-encode.ts, anything else through ITK's own writer
// (@itk-wasm/image-io's nrrd-write-image pipeline). The file appears atomically (../atomic-write.ts).
// Owns the NRRD output only.
import { basename } from 'node:path';
import type { Image } from 'itk-wasm';
import { writeFileAtomic } from '../atomic-write.js';
import { OtsuError, errorMessage } from '../errors.js';
import { encodeNrrd } from './nrrd-encode.js';

export async function writeNrrdAtomic(image: Image, file: string): Promise<void> {
  try {
    // The extension picks ITK's ImageIO, so the name handed to its writer ends in ".nrrd".
    // ITK's own writer (and its WebAssembly) is loaded only for the images encodeNrrd declines.
    const bytes =
      encodeNrrd(image) ?? (await (await import('./wasm-pipelines.js')).writeNrrdCached(image, 'mask.nrrd'));
    writeFileAtomic(file, bytes);
  } catch (e) {
    throw new OtsuError(`cannot write ${basename(file)}: ${errorMessage(e)}`, { file });
  }
}

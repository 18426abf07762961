// Entry points of the TypeScript NRRD reader (readNrrdFast, readNrrdFastDetailed): opens the
// .nrrd/.nhdr and its data file, runs this folder's header, geometry, metadata and voxel modules,
// and builds the itk-wasm Image — exactly what `readImageNode` of @itk-wasm/image-io returns, or
// declined (the file is then read by itk-wasm).
import { closeSync, fstatSync, openSync } from 'node:fs';
import { endianness } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Image } from 'itk-wasm';
import { SCALAR_ARRAYS } from '../../otsu/index.js';
import { OtsuError } from '../../errors.js';
import { Decline, decline } from './decline.js';
import { geometry } from './geometry.js';
import { readHeader } from './header.js';
import { metadata } from './metadata.js';
import { MAX_BYTES } from './values.js';
import { allocate, checkDeclaredSize, readVoxels, swapBytes } from './voxels.js';

// Reads attached .nrrd and detached .nhdr + one data file in TypeScript (node:fs, node:zlib)
// without starting itk-wasm's NRRD reader (a WebAssembly compile, and a wasm memory growth that
// detaches an ArrayBuffer, after which V8 runs every typed-array loop of the process ~50 % slower).
// Reproduces, for the files it accepts, exactly what `readImageNode` of @itk-wasm/image-io returns:
// ITK 5.4's NrrdImageIO over NrrdIO (Teem) as itk-wasm runs it (ImageIO → WasmImageIOBase, no
// ImageFileReader: negative spacings stay, no ITK_original_* metadata). Everything else is declined
// (undefined) and read by itk-wasm, which also keeps its error messages for malformed files. What
// NrrdIO/ITK do: header.ts and fields.ts (header), geometry.ts, metadata.ts, voxels.ts.
// Declined on purpose: other encodings (ascii, hex, bzip2), 64-bit and block types, non-domain axes
// (vector/RGB/tensor pixels), dimensions other than 2 and 3, axis mins/maxs, labels, units,
// measurement frame, 4-D spaces, multiple or templated data files, data files outside the header's
// directory (itk-wasm mounts only that one), numbers not written as plain decimals, non-ASCII or
// control characters in the header, gzip data node's gunzip refuses (also: other bytes after the
// last member) or with a negative byte skip, anything NrrdIO would refuse, and volumes of 2 GiB or
// more.
function read(file: string): Image {
  if (!/\.(nrrd|nhdr)$/.test(file)) decline('not a lower-case .nrrd/.nhdr name');
  if (endianness() !== 'LE') decline('big-endian host');
  const fd = openSync(file, 'r');
  let dataFd: number | undefined;
  try {
    const fileSize = fstatSync(fd).size;
    const h = readHeader(fd, fileSize);
    const dim = h.dim!;
    const type = h.type!;
    const sizes = h.sizes!;
    const elementBytes = SCALAR_ARRAYS[type].BYTES_PER_ELEMENT;
    if (elementBytes > 1 && h.endian === undefined) decline('no endian for a multi-byte type');
    const n = sizes.reduce((a, s) => a * s, 1);
    let source = fd;
    let sourceSize = fileSize;
    let pos = h.dataOffset ?? 0;
    let dataPath = file;
    if (h.dataFile !== undefined) {
      dataPath = `${dirname(file)}/${h.dataFile}`;
      dataFd = openSync(dataPath, 'r');
      const st = fstatSync(dataFd);
      if (!st.isFile()) decline('data file is not a regular file');
      source = dataFd;
      sourceSize = st.size;
      pos = 0;
    }
    if (h.lineSkip === 0 && h.byteSkip >= -1) checkDeclaredSize(h, n * elementBytes, sourceSize, pos, dataPath);
    if (n * elementBytes > MAX_BYTES) decline('volume of 2 GiB or more');
    // ITK's geometry and metadata first: they can still decline.
    const geo = geometry(h, dim);
    const meta = metadata(h, dim);
    const data = allocate(type, n);
    readVoxels(h, source, sourceSize, pos, new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dataPath);
    if (h.endian === 'big' && elementBytes > 1) swapBytes(data);

    return {
      imageType: { dimension: dim, componentType: type, pixelType: 'Scalar', components: 1 },
      name: 'Image',
      origin: geo.origin,
      spacing: geo.spacing,
      direction: geo.direction,
      size: [...sizes],
      metadata: meta,
      data,
    } as unknown as Image;
  } finally {
    if (dataFd !== undefined) closeSync(dataFd);
    closeSync(fd);
  }
}

/** The image, or why this reader declines the file (then itk-wasm's readImageNode reads it). */
export function readNrrdFastDetailed(path: string): { image: Image } | { declined: string } {
  try {
    return { image: read(resolve(path)) };
  } catch (e) {
    // A file whose declared size the data cannot match is an error of its own (never handed on to
    // itk-wasm, which would allocate the declared size first).
    if (e instanceof OtsuError) throw e;
    return { declined: e instanceof Decline ? e.message : `error: ${(e as Error).message}` };
  }
}

/**
 * `path` read exactly as `readImageNode(path)` of @itk-wasm/image-io reads it, or undefined for
 * the NRRD files (and the other files) this reader does not reproduce or that are malformed.
 */
export function readNrrdFast(path: string): Image | undefined {
  const r = readNrrdFastDetailed(path);
  return 'image' in r ? r.image : undefined;
}

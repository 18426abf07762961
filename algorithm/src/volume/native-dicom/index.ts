// Fast path for DICOM in native (uncompressed) transfer syntaxes: implicit VR LE, explicit VR LE, explicit
// VR BE and deflated explicit VR LE, read in TypeScript (dicom-parser, node:zlib) without starting the GDCM
// wasm module. Owns reproducing, for the files it accepts, exactly what readDicomSeriesCached (itk-wasm's
// read-image-dicom-file-series: GDCM 3.0.24 SerieHelper + ITK 5.4.3 GDCMImageIO + ImageSeriesReader)
// returns, and assembling the series. Anything outside the reproduced cases is declined (undefined) and
// read by itk-wasm instead; so are files it cannot parse, which keeps itk-wasm's error messages.
import { endianness } from 'node:os';
import type { Image } from 'itk-wasm';
import { allocateVolumeArray, SCALAR_ARRAYS } from '../../otsu/index.js';
import { permuteSlices, verbatim, writeSlice } from './decode.js';
import { directionOf, jsonNumbers, seriesSliceSpacing } from './geometry.js';
import type { NativeHeader } from './header.js';
import { gdcmOrder } from './order.js';
import { outputType, type OutputArray, type OutputType } from './pixel-type.js';
import { readRegion, sliceBytes, wholeFileSlice } from './read-file.js';
import type { SliceInfo } from './slice-info.js';

export { nativeHeader, type NativeHeader } from './header.js';
export type { SliceInfo } from './slice-info.js';

/** What readDicomSeriesCached returns, for the files the native reader accepts. */
export interface NativeSeriesResult {
  image: Image;
  sortedFilenames: string[];
}

/** Typed-array views of little-endian pixel bytes are read as they are: only on little-endian hosts. */
const HOST_LITTLE_ENDIAN = endianness() === 'LE';

/**
 * One SerieHelper group with one pixel layout and rescale (GDCM applies the last slice's rescale
 * and the first given file's pixel type to every slice). read-image-dicom-file-series adds the files
 * before it turns on the series details, so GDCM groups them by Series Instance UID alone (Series
 * Number, Sequence Name, … may differ).
 */
function sameVolume(a: SliceInfo, b: SliceInfo): boolean {
  return a.seriesKey === b.seriesKey && a.pixelKey === b.pixelKey;
}

/**
 * Reads `files` (one series, as read-volume passes them) when all are native-syntax single-frame
 * greyscale images this module reproduces; otherwise undefined (use readDicomSeriesCached).
 * `headers[i]`, when given, is what dicom-scan.ts made of files[i] (nativeHeader): a declined file
 * declines the series before anything is read, and of the others only the pixel bytes are read.
 * Each file is decoded into the volume as soon as it is read (in the given order, its bytes dropped
 * then; verbatim pixel bytes are read straight into the volume), and the slices are put in GDCM's
 * order at the end.
 */
export function readNativeDicomSeries(
  files: string[],
  headers: readonly (NativeHeader | undefined)[] = [],
): NativeSeriesResult | undefined {
  if (files.length === 0 || !HOST_LITTLE_ENDIAN) return undefined;
  try {
    return readSeries(files, headers);
  } catch {
    // unreadable file or anything unforeseen: itk-wasm reads it (and reports what is wrong)
    return undefined;
  }
}

/** Whether the scan's headers already decline the series (one declined file, or files of different volumes). */
function scanDeclines(headers: readonly (NativeHeader | undefined)[]): boolean {
  let known: SliceInfo | undefined;
  for (const h of headers) {
    if (h?.kind === 'decline') return true;
    if (h) {
      known ??= h.info;
      if (!sameVolume(h.info, known)) return true;
    }
  }
  return false;
}

/** The slices read into one array in file order (slice i at offset i × rows × columns), or undefined: declined. */
function readSlices(
  files: string[],
  headers: readonly (NativeHeader | undefined)[],
): { infos: SliceInfo[]; type: OutputType; data: OutputArray } | undefined {
  const infos: SliceInfo[] = [];
  let type: OutputType | undefined;
  let data: OutputArray | undefined;
  for (const [i, file] of files.entries()) {
    const h = headers[i];
    const scanned = h?.kind === 'slice' && h.info.path === file ? h : undefined;
    let info: SliceInfo;
    let pixels: Uint8Array | undefined;
    if (scanned) {
      info = scanned.info;
    } else {
      const slice = wholeFileSlice(file);
      if (!slice) return undefined;
      ({ info, pixels } = slice);
    }
    if (!sameVolume(info, infos[0] ?? info)) return undefined;
    if (!data) {
      type = outputType(info.format, info.intercept, info.slope);
      if (!type) return undefined;
      // Large volumes go to shared memory, where the Otsu passes run on two threads.
      data = allocateVolumeArray(SCALAR_ARRAYS[type], info.rows * info.columns * files.length) as OutputArray;
    }
    const offset = i * info.rows * info.columns;
    if (scanned) {
      const bytes = sliceBytes(info);
      const direct = verbatim(info, type!);
      const into = direct
        ? new Uint8Array(data.buffer, data.byteOffset + offset * data.BYTES_PER_ELEMENT, bytes)
        : undefined;
      // A file that changed since the scan: declined (itk-wasm reads what is there now).
      pixels = readRegion(file, scanned.fileSize, scanned.pixelOffset, bytes, into);
      if (!pixels) return undefined;
      if (direct) {
        infos.push(info);
        continue;
      }
    }
    writeSlice(info, pixels!, data, offset);
    infos.push(info);
  }
  return data && type ? { infos, type, data } : undefined;
}

function readSeries(files: string[], headers: readonly (NativeHeader | undefined)[]): NativeSeriesResult | undefined {
  // What the scan already tells: decline before reading anything.
  if (scanDeclines(headers)) return undefined;
  const slices = readSlices(files, headers);
  if (!slices) return undefined;
  const { infos, type, data } = slices;

  const order = gdcmOrder(infos);
  if (!order) return undefined;
  const head = infos[order[0]!]!;
  const n = infos.length;
  const spacing: number[] = [...head.spacing];
  if (n > 1) spacing[2] = seriesSliceSpacing(head, infos[order[n - 1]!]!, n);
  permuteSlices(data, head.rows * head.columns, order);

  const size = [head.columns, head.rows, n];
  const image = {
    imageType: { dimension: 3, componentType: type, pixelType: 'Scalar', components: 1 },
    name: '',
    origin: jsonNumbers(head.position),
    spacing: jsonNumbers(spacing),
    direction: directionOf(head.orientation),
    size,
    bufferedRegion: { index: [0, 0, 0], size: [...size] },
    data,
    metadata: new Map(),
  } as Image;
  return { image, sortedFilenames: order.map((k) => infos[k]!.path) };
}

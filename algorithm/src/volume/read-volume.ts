// Reads the input of kaapana-otsu into itk-wasm `Image`s: a DICOM directory (one volume per series,
// or the one chosen by SeriesInstanceUID), a single DICOM file (single- or multi-frame), or an image
// file ITK reads (NRRD, NIfTI, MetaImage). DICOM goes through @itk-wasm/dicom's
// readImageDicomFileSeries (GDCM: compressed transfer syntaxes, big endian, rescale slope/intercept,
// MONOCHROME1, slices sorted along the normal), except for the series native-dicom/ reads to the
// same result without the wasm module (uncompressed syntaxes, from the headers dicom-scan.ts parsed);
// other files through @itk-wasm/image-io, except the NRRD files nrrd-read.ts reads to the same result.
// KAAPANA_OTSU_READER=itk-wasm turns both TypeScript readers off. The itk-wasm packages are loaded
// only when a file needs them: besides the compile, the wasm memory growth detaches an ArrayBuffer,
// after which V8 runs every typed-array loop of the process (the Otsu passes included) ~1.5x slower.
// Owns no Otsu and no output writing.
import { basename, resolve } from 'node:path';
import { statSync } from 'node:fs';
import type dicomParser from 'dicom-parser';
import type { Image } from 'itk-wasm';
import { OtsuError } from '../errors.js';
import { describeWasmFailure, withCapturedConsole } from '../captured-console.js';
import { isScalarComponentType } from '../otsu/index.js';
import { readNativeDicomSeries } from './native-dicom/index.js';
import { readNrrdFast } from './nrrd-read.js';
import {
  checkSeriesConsistent,
  scanDicomDirectory,
  scanDicomFile,
  scannedHeader,
  scannedNativeHeader,
  type DicomSeries,
} from './dicom-scan.js';

export type VolumeSource =
  | { kind: 'dicom'; seriesInstanceUid: string; modality: string; files: string[] }
  | { kind: 'image-file'; file: string };

export interface Volume {
  image: Image;
  source: VolumeSource;
}

const IMAGE_FILE = /\.(nrrd|nhdr|nii|nii\.gz|hdr|img|mha|mhd)$/i;

/** True for the file names read through @itk-wasm/image-io rather than as DICOM. */
export function isImageFileName(path: string): boolean {
  return IMAGE_FILE.test(path);
}

/** `input` read by itk-wasm's ImageIO for its extension (wasm-pipelines.ts, loaded on first use). */
async function readImageFile(input: string): Promise<Image> {
  const { readImageFileWasm } = await import('./wasm-pipelines.js');
  return readImageFileWasm(input, IMAGE_FILE.exec(input)?.[1]?.toLowerCase() ?? '');
}

function checkScalar(image: Image, file: string): Image {
  const t = image.imageType;
  if (t.components !== 1) {
    throw new OtsuError(`image has ${t.components} components per pixel; Otsu needs one grey value per voxel`, {
      file,
    });
  }
  if (!isScalarComponentType(t.componentType)) {
    throw new OtsuError(`pixel type ${t.componentType} is not supported (8/16/32-bit integer or float)`, { file });
  }
  if (!image.data || image.data.length === 0) throw new OtsuError('image has no voxels', { file });
  return image;
}

/**
 * `KAAPANA_OTSU_READER=itk-wasm` sends every file to itk-wasm, skipping native-dicom/ and
 * nrrd-read.ts (`KAAPANA_OTSU_DICOM_READER=itk-wasm`, its earlier name, still works).
 */
function nativeReaderEnabled(): boolean {
  return process.env.KAAPANA_OTSU_READER !== 'itk-wasm' && process.env.KAAPANA_OTSU_DICOM_READER !== 'itk-wasm';
}

/** The series' image and its files in slice order: native reader first, itk-wasm when it declines. */
async function decodeDicomSeries(series: DicomSeries): Promise<{ image: Image; sortedFilenames: string[] }> {
  const files = series.files.map((f) => f.path);
  // The headers the scan parsed go along: the native reader reads only the pixel bytes.
  const native = nativeReaderEnabled()
    ? readNativeDicomSeries(files, series.files.map(scannedNativeHeader))
    : undefined;
  if (native) return native;
  let result;
  try {
    // Loaded only here: the series native-dicom/ reads never pay for the zstd decoder and the runner.
    const { readDicomSeriesCached } = await import('./wasm-pipelines.js');
    result = await readDicomSeriesCached(files);
  } catch (e) {
    throw new OtsuError(
      `GDCM (itk-wasm) cannot decode the DICOM series ${series.seriesInstanceUid}: ${describeWasmFailure(e, '')}`,
      {
        file: files[0]!,
      },
    );
  }
  const sorted = Array.isArray(result.sortedFilenames) ? (result.sortedFilenames as string[]) : files;
  return { image: result.image, sortedFilenames: sorted };
}

/** The headers the scan parsed and kept for a volume's source files, by absolute path. */
const sourceHeaders = new WeakMap<VolumeSource, ReadonlyMap<string, dicomParser.DataSet>>();

/**
 * The parsed headers of a DICOM volume's source files that the scan kept (dicom-scan.ts,
 * KEPT_HEADER_BYTES), by absolute path, for the SEG writer; undefined when none were kept.
 */
export function scannedSourceHeaders(source: VolumeSource): ReadonlyMap<string, dicomParser.DataSet> | undefined {
  return sourceHeaders.get(source);
}

async function readDicomSeries(series: DicomSeries): Promise<Volume> {
  const { image, sortedFilenames } = await decodeDicomSeries(series);
  const source: VolumeSource = {
    kind: 'dicom',
    seriesInstanceUid: series.seriesInstanceUid,
    modality: series.files[0]!.modality,
    files: sortedFilenames,
  };
  const headers = new Map<string, dicomParser.DataSet>();
  for (const f of series.files) {
    const ds = scannedHeader(f);
    if (ds) headers.set(resolve(f.path), ds);
  }
  if (headers.size > 0) sourceHeaders.set(source, headers);
  return { image: checkScalar(image, series.files[0]!.path), source };
}

export interface ReadOptions {
  /** Pick this series from a directory with several; without it every series is returned. */
  seriesUid?: string;
}

/** Reads `input` (DICOM dir, DICOM file, NRRD/NIfTI/MetaImage) into one or more volumes. */
export async function readVolumes(inputPath: string, options: ReadOptions = {}): Promise<Volume[]> {
  // itk-wasm's DICOM reader mounts files by absolute path; relative ones fail inside the wasm.
  const input = resolve(inputPath);
  let st;
  try {
    st = statSync(input);
  } catch {
    throw new OtsuError('input does not exist', { file: input });
  }
  if (st.isDirectory()) {
    let series = await scanDicomDirectory(input);
    if (options.seriesUid !== undefined) {
      series = series.filter((s) => s.seriesInstanceUid === options.seriesUid);
      if (series.length === 0) {
        throw new OtsuError(`no series with SeriesInstanceUID ${options.seriesUid}`, { file: input });
      }
    }
    for (const s of series) checkSeriesConsistent(s);
    const out: Volume[] = [];
    for (const s of series) out.push(await readDicomSeries(s));
    return out;
  }
  if (isImageFileName(input)) {
    let image: Image | undefined = nativeReaderEnabled() ? readNrrdFast(input) : undefined;
    if (!image) {
      const run = await withCapturedConsole(() => readImageFile(input));
      if (run.value === undefined) {
        throw new OtsuError(
          `cannot read ${basename(input)} as an image: ${describeWasmFailure(run.error, run.output)}`,
          {
            file: input,
          },
        );
      }
      image = run.value;
    }
    return [{ image: checkScalar(image, input), source: { kind: 'image-file', file: input } }];
  }
  const info = await scanDicomFile(input);
  if (options.seriesUid !== undefined && info.seriesInstanceUid !== options.seriesUid) {
    throw new OtsuError(`file belongs to series ${info.seriesInstanceUid}, not ${options.seriesUid}`, { file: input });
  }
  const single = { seriesInstanceUid: info.seriesInstanceUid, files: [info] };
  checkSeriesConsistent(single);
  return [await readDicomSeries(single)];
}

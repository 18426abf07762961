// Scans DICOM files before the pixel data is decoded: which series each file belongs to, its matrix
// size and whether it has pixel data, so bad input fails early with an error naming the file (not
// DICOM, no pixel data, mixed sizes within one series) and a directory with several series can be
// split the way ITK's GDCMSeriesFileNames does (one group per SeriesInstanceUID, in UID string order).
// Reads headers with dicom-parser; decoding pixels is itk-wasm's job (read-volume.ts). Only the start
// of each file is read (HEAD_BYTES) when the header ends there; otherwise the whole file, so the
// result is the one a whole-file parse gives. File reads are synchronous (small, and each
// asynchronous read is several thread-pool round trips).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import dicomParser from 'dicom-parser';
import { KxError, KxAggregateError } from '@kaapana-ext/core';

/** What the scan learned about one DICOM file. */
export interface DicomFileInfo {
  path: string;
  seriesInstanceUid: string;
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  modality: string;
  /** ImageOrientationPatient (6 direction cosines), empty when absent. */
  orientation: number[];
}

/** One series of a directory: its files (unsorted; itk-wasm sorts them by position). */
export interface DicomSeries {
  seriesInstanceUid: string;
  files: DicomFileInfo[];
}

function inflater(bytes: Uint8Array, position: number): Uint8Array {
  const inflated = inflateRawSync(bytes.subarray(position));
  const full = new Uint8Array(position + inflated.length);
  full.set(bytes.subarray(0, position), 0);
  full.set(inflated, position);
  return full;
}

/** Bytes read first; the whole file is read when the header does not end (pixel data tag) within them. */
const HEAD_BYTES = 64 * 1024;

function readBytes(path: string, limit: number): { bytes: Uint8Array; complete: boolean } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const n = Math.min(size, limit);
    const bytes = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const r = readSync(fd, bytes, got, n - got, got);
      if (r === 0) break;
      got += r;
    }
    return { bytes: got === n ? bytes : bytes.subarray(0, got), complete: got >= size };
  } finally {
    closeSync(fd);
  }
}

function parseHeader(bytes: Uint8Array): dicomParser.DataSet {
  return dicomParser.parseDicom(bytes, {
    untilTag: 'x7fe00010',
    inflater: inflater as unknown as (arr: Uint8Array, position: number) => void,
  });
}

/** Parses the header of one file; throws a KxError naming it when it is not a usable DICOM image. */
export async function scanDicomFile(path: string): Promise<DicomFileInfo> {
  let ds: dicomParser.DataSet | undefined;
  const head = readBytes(path, HEAD_BYTES);
  if (!head.complete) {
    // Parsing stops at (7FE0,0010); when it was reached within the first bytes, every element before
    // it lies within them and the data set equals the whole-file one. Otherwise parse the whole file.
    try {
      const partial = parseHeader(head.bytes);
      if (partial.elements['x7fe00010']) ds = partial;
    } catch {
      // truncated header: parse the whole file below
    }
  }
  if (!ds) {
    const { bytes } = head.complete ? head : readBytes(path, Infinity);
    try {
      ds = parseHeader(bytes);
    } catch (e) {
      const why = typeof e === 'string' ? e : e instanceof Error ? e.message : String(e);
      const detail = /DICM prefix/.test(why) ? 'no DICOM preamble ("DICM" at byte 128)' : why;
      throw new KxError(`not a DICOM file: ${detail}`, { file: path });
    }
  }
  if (!ds.elements['x7fe00010'] && !ds.elements['x7fe00008'] && !ds.elements['x7fe00009']) {
    throw new KxError('DICOM file has no pixel data (7FE0,0010)', { file: path });
  }
  const rows = ds.uint16('x00280010') ?? 0;
  const columns = ds.uint16('x00280011') ?? 0;
  if (rows === 0 || columns === 0) {
    throw new KxError('DICOM file has no image matrix (Rows/Columns missing or 0)', { file: path });
  }
  return {
    path,
    seriesInstanceUid: ds.string('x0020000e') ?? '',
    rows,
    columns,
    frames: Number.parseInt(ds.string('x00280008') ?? '1', 10) || 1,
    samplesPerPixel: ds.uint16('x00280002') ?? 1,
    modality: ds.string('x00080060') ?? '',
    orientation: (ds.string('x00200037') ?? '')
      .split('\\')
      .filter((x) => x.trim() !== '')
      .map(Number),
  };
}

/** Files of a directory (recursively, hidden files and DICOMDIR left out), sorted by name. */
async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name.toUpperCase() === 'DICOMDIR') continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out.sort();
}

/** Groups the DICOM files of `dir` by series (see {@link checkSeriesConsistent} for the volume checks). */
export async function scanDicomDirectory(dir: string): Promise<DicomSeries[]> {
  const st = await stat(dir);
  if (!st.isDirectory()) throw new KxError('not a directory', { file: dir });
  const files = await listFiles(dir);
  if (files.length === 0) throw new KxError('the input directory has no files', { file: dir });
  const infos: DicomFileInfo[] = [];
  const errors: KxError[] = [];
  for (const f of files) {
    try {
      infos.push(await scanDicomFile(f));
    } catch (e) {
      if (e instanceof KxError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new KxAggregateError(errors);
  const bySeries = new Map<string, DicomFileInfo[]>();
  for (const info of infos) {
    const list = bySeries.get(info.seriesInstanceUid) ?? [];
    list.push(info);
    bySeries.set(info.seriesInstanceUid, list);
  }
  const series = [...bySeries.keys()].sort().map((uid) => ({ seriesInstanceUid: uid, files: bySeries.get(uid)! }));
  return series;
}

/** One volume needs one matrix size and single-frame files (a multi-frame file is its own volume). */
export function checkSeriesConsistent(s: DicomSeries): void {
  const first = s.files[0]!;
  for (const f of s.files) {
    if (f.rows !== first.rows || f.columns !== first.columns) {
      throw new KxError(
        `mixed image sizes in series ${s.seriesInstanceUid}: ${f.columns}×${f.rows} here, ` +
          `${first.columns}×${first.rows} in ${first.path}`,
        { file: f.path },
      );
    }
    if (f.samplesPerPixel !== 1) {
      throw new KxError(`colour image (${f.samplesPerPixel} samples per pixel); Otsu needs grey values`, {
        file: f.path,
      });
    }
  }
  if (s.files.length > 1) {
    // A volume has one slice orientation (a tri-planar localizer shares one SeriesInstanceUID but is
    // three planes; ITK itself cannot order such slices and gives an arbitrary stack).
    for (const f of s.files) {
      const same =
        f.orientation.length === first.orientation.length &&
        f.orientation.every((v, i) => Math.abs(v - first.orientation[i]!) < 1e-4);
      if (!same) {
        throw new KxError(
          `mixed slice orientations in series ${s.seriesInstanceUid}: [${f.orientation.join(', ')}] here, ` +
            `[${first.orientation.join(', ')}] in ${first.path}; choose another series with --series-uid`,
          { file: f.path },
        );
      }
    }
    const multi = s.files.find((f) => f.frames > 1);
    if (multi) {
      throw new KxError(
        `multi-frame file in a series of ${s.files.length} files; give the multi-frame file on its own`,
        { file: multi.path },
      );
    }
  }
}

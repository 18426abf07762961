// Scans DICOM files before the pixel data is decoded: which series each file belongs to, its matrix
// size and whether it has pixel data, so bad input fails early with an error naming the file (not
// DICOM, no pixel data, mixed sizes within one series) and a directory with several series can be
// split the way ITK's GDCMSeriesFileNames does (one group per SeriesInstanceUID, in UID string order).
// Reads headers with dicom-parser; decoding pixels is read-volume.ts's job (native-dicom/ or
// itk-wasm). Only the start of each file is read (HEAD_BYTES, more while the header goes on), with
// the result a whole-file parse gives. The parsed header is also handed to native-dicom/
// (nativeHeader, kept per DicomFileInfo: see scannedNativeHeader), so that reader reads only the
// pixel bytes and parses no header again; no file bytes are kept but the parsed headers the
// SEG writer reuses (scannedHeader, at most KEPT_HEADER_BYTES per scan). File reads are synchronous
// (small, and each asynchronous call is several thread-pool round trips), directory listings too.
import { closeSync, fstatSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type dicomParser from 'dicom-parser';
import { OtsuError, OtsuAggregateError } from '../errors.js';
import { InflateLimitError, NotDicomError, parseDicomBytes, type ParsedDicom } from './dicom-parse.js';
import { readAt } from './read-fully.js';
import { nativeHeader, type NativeHeader } from './native-dicom/index.js';

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

/** Bytes read first; GROWTH times as many (the first ones kept) while the header goes on past them. */
const HEAD_BYTES = 64 * 1024;
const GROWTH = 4;

function parseHeader(bytes: Uint8Array): ParsedDicom {
  return parseDicomBytes(bytes, 'x7fe00010');
}

/** (7FE0,0010) as a tag in little- and big-endian data sets. */
const PIXEL_DATA_TAGS = [Buffer.from([0xe0, 0x7f, 0x10, 0x00]), Buffer.from([0x7f, 0xe0, 0x00, 0x10])];

/**
 * False when a parse of `bytes` (a part-10 file's first bytes) cannot reach the Pixel Data tag: they
 * have the preamble and not the tag's bytes (a deflated data set's tag is only in the inflated bytes:
 * such a file is read to its end).
 */
function mayReachPixelData(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 132 || b.toString('latin1', 128, 132) !== 'DICM') return true;
  return PIXEL_DATA_TAGS.some((tag) => b.includes(tag));
}

/**
 * The header of `path` (parsed up to the Pixel Data tag) and the file's size. Reads the first
 * HEAD_BYTES, then more while a parse of the bytes read does not reach (7FE0,0010) (not tried when
 * it cannot): once it does, every element before it lies within them and the data set equals the
 * whole-file one. A file read to its end is parsed as a whole, its parse errors reported as the file's.
 */
export function readHeader(path: string): { parsed: ParsedDicom; size: number } {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    let bytes = new Uint8Array(0);
    for (let limit = HEAD_BYTES; ; limit *= GROWTH) {
      const n = Math.min(size, limit);
      const grown = new Uint8Array(n);
      grown.set(bytes);
      const got = bytes.length + readAt(fd, grown.subarray(bytes.length), bytes.length);
      bytes = got === n ? grown : grown.subarray(0, got);
      const whole = got >= size || got < n;
      if (!whole && !mayReachPixelData(bytes)) continue;
      try {
        const parsed = parseHeader(bytes);
        if (whole || parsed.ds.elements['x7fe00010']) return { parsed, size };
      } catch (e) {
        // Neither a preamble nor a start GDCM reads: the whole file fails the same way.
        if (e instanceof NotDicomError) throw new OtsuError(`not a DICOM file: ${e.message}`, { file: path });
        if (e instanceof InflateLimitError) throw new OtsuError(e.message, { file: path });
        if (whole) {
          const why = typeof e === 'string' ? e : e instanceof Error ? e.message : String(e);
          // node:zlib on a deflated data set cut short
          if (/unexpected end of file/.test(why))
            throw new OtsuError('file is truncated: its deflated data set ends early', { file: path });
          throw new OtsuError(`not a DICOM file: ${why}`, { file: path });
        }
        // header truncated here: read on
      }
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses a file whose pixel data is cut short (GDCM would decode what is there and leave the rest
 * of the image as it happens to be): native Pixel Data shorter than rows × columns × frames ×
 * samples × bytes per sample, or reaching past the end of the file; encapsulated Pixel Data whose
 * fragment items run past the end of the file before the sequence delimiter.
 */
function checkPixelDataComplete(path: string, size: number, { ds, prefix }: ParsedDicom, frames: number): void {
  const el = ds.elements['x7fe00010'];
  if (!el) return;
  // A deflated file was read and inflated whole: the inflated bytes are the limit, else the file's size.
  const deflated = ds.string('x00020010') === '1.2.840.10008.1.2.1.99';
  const limit = deflated ? ds.byteArray.length : size + prefix;
  if (el.hadUndefinedLength) {
    checkFragments(path, el.dataOffset - prefix, size);
    return;
  }
  const rows = ds.uint16('x00280010') ?? 0;
  const columns = ds.uint16('x00280011') ?? 0;
  const samples = ds.uint16('x00280002') ?? 1;
  const bits = ds.uint16('x00280100') ?? 0;
  const needed = Math.ceil((rows * columns * frames * samples * bits) / 8);
  const present = Math.max(0, Math.min(el.length, limit - el.dataOffset));
  if (present < needed) {
    throw new OtsuError(
      `pixel data is truncated: ${present} bytes, but ${columns}×${rows} pixels × ${frames} frame(s) × ${samples} ` +
        `sample(s) × ${bits} bits need ${needed}`,
      { file: path },
    );
  }
}

/** Walks the items of encapsulated Pixel Data from file offset `at` up to the sequence delimiter. */
function checkFragments(path: string, at: number, size: number): void {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(8);
    const view = new DataView(head.buffer);
    for (let pos = at; ;) {
      if (readAt(fd, head, pos) < 8) {
        throw new OtsuError('pixel data is truncated: the file ends inside the encapsulated Pixel Data', {
          file: path,
        });
      }
      const group = view.getUint16(0, true);
      const element = view.getUint16(2, true);
      const length = view.getUint32(4, true);
      if (group !== 0xfffe || (element !== 0xe000 && element !== 0xe0dd)) {
        throw new OtsuError(`encapsulated Pixel Data is malformed at byte ${pos}: no item tag`, { file: path });
      }
      if (element === 0xe0dd) return;
      pos += 8 + length;
      if (pos > size) {
        throw new OtsuError(
          'pixel data is truncated: a fragment of the encapsulated Pixel Data runs past the end of the file',
          {
            file: path,
          },
        );
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** What native-dicom/ made of each scanned file's header (absent: it parses the file itself). */
const nativeHeaders = new WeakMap<DicomFileInfo, NativeHeader>();

/**
 * Parsed headers kept for the SEG writer, which reads the same headers again (source-frames.ts):
 * kept while a scan's kept bytes stay within KEPT_HEADER_BYTES, so a small series is parsed once per
 * run and a large one costs no more memory than this. Also spares a cold run the TurboFan compile
 * that dicom-parser's functions get once they have parsed twice as many headers.
 */
const keptHeaders = new WeakMap<DicomFileInfo, dicomParser.DataSet>();

/** Most bytes of parsed headers one scan keeps for the SEG writer. */
export const KEPT_HEADER_BYTES = 16 * 2 ** 20;

/** The parsed header of a file this module scanned, when the scan kept it (see KEPT_HEADER_BYTES). */
export function scannedHeader(info: DicomFileInfo): dicomParser.DataSet | undefined {
  return keptHeaders.get(info);
}

/** The native reader's view of a file this module scanned (for readNativeDicomSeries), if any. */
export function scannedNativeHeader(info: DicomFileInfo): NativeHeader | undefined {
  return nativeHeaders.get(info);
}

/**
 * Parses the header of one file; throws a OtsuError naming it when it is not a usable DICOM image.
 * `keep.bytes`: how many bytes of parsed headers may still be kept for the SEG writer (one budget
 * shared by the files of a directory scan).
 */
export async function scanDicomFile(path: string, keep = { bytes: KEPT_HEADER_BYTES }): Promise<DicomFileInfo> {
  const { parsed, size } = readHeader(path);
  const { ds } = parsed;
  if (!ds.elements['x7fe00010'] && !ds.elements['x7fe00008'] && !ds.elements['x7fe00009']) {
    throw new OtsuError('DICOM file has no pixel data (7FE0,0010)', { file: path });
  }
  const rows = ds.uint16('x00280010') ?? 0;
  const columns = ds.uint16('x00280011') ?? 0;
  if (rows === 0 || columns === 0) {
    throw new OtsuError('DICOM file has no image matrix (Rows/Columns missing or 0)', { file: path });
  }
  const info: DicomFileInfo = {
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
  checkPixelDataComplete(path, size, parsed, info.frames);
  if (ds.byteArray.length <= keep.bytes) {
    keep.bytes -= ds.byteArray.length;
    keptHeaders.set(info, ds);
  }
  try {
    const native = nativeHeader(ds, path, size, parsed.prefix);
    if (native) nativeHeaders.set(info, native);
  } catch {
    // the native reader parses the file itself
  }
  return info;
}

/** Files of a directory (recursively, hidden files and DICOMDIR left out), sorted by name. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name.toUpperCase() === 'DICOMDIR') continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p));
    else if (entry.isFile()) out.push(p);
  }
  return out.sort();
}

/** Groups the DICOM files of `dir` by series (see {@link checkSeriesConsistent} for the volume checks). */
export async function scanDicomDirectory(dir: string): Promise<DicomSeries[]> {
  const st = statSync(dir);
  if (!st.isDirectory()) throw new OtsuError('not a directory', { file: dir });
  const files = listFiles(dir);
  if (files.length === 0) throw new OtsuError('the input directory has no files', { file: dir });
  const infos: DicomFileInfo[] = [];
  const errors: OtsuError[] = [];
  const keep = { bytes: KEPT_HEADER_BYTES };
  for (const f of files) {
    try {
      infos.push(await scanDicomFile(f, keep));
    } catch (e) {
      if (e instanceof OtsuError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new OtsuAggregateError(errors);
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
      throw new OtsuError(
        `mixed image sizes in series ${s.seriesInstanceUid}: ${f.columns}×${f.rows} here, ` +
          `${first.columns}×${first.rows} in ${first.path}`,
        { file: f.path },
      );
    }
    if (f.samplesPerPixel !== 1) {
      throw new OtsuError(`colour image (${f.samplesPerPixel} samples per pixel); Otsu needs grey values`, {
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
        throw new OtsuError(
          `mixed slice orientations in series ${s.seriesInstanceUid}: [${f.orientation.join(', ')}] here, ` +
            `[${first.orientation.join(', ')}] in ${first.path}; choose another series with --series-uid`,
          { file: f.path },
        );
      }
    }
    const multi = s.files.find((f) => f.frames > 1);
    if (multi) {
      throw new OtsuError(
        `multi-frame file in a series of ${s.files.length} files; give the multi-frame file on its own`,
        { file: multi.path },
      );
    }
  }
}

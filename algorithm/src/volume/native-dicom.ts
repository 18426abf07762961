// Fast path for DICOM in native (uncompressed) transfer syntaxes: implicit VR LE, explicit VR LE,
// explicit VR BE and deflated explicit VR LE, read in TypeScript (dicom-parser, node:zlib) without
// starting the GDCM wasm module. Owns reproducing, for the files it accepts, exactly what
// readDicomSeriesCached (itk-wasm's read-image-dicom-file-series: GDCM 3.0.24 SerieHelper +
// ITK 5.4.3 GDCMImageIO + ImageSeriesReader) returns: slice order, geometry, pixel type and values.
// Anything outside the reproduced cases is declined (undefined) and read by itk-wasm instead; so are
// files it cannot parse, which keeps itk-wasm's error messages. What GDCM/ITK do, in short:
// - pixel type: Bits Allocated + Pixel Representation; with Rescale Slope/Intercept (read for every
//   SOP class, ITK forces it) not 1/0 GDCM's Rescaler picks the smallest integer type holding
//   slope·[min,max]+intercept of the Bits Stored range, or float64 for non-integer slope/intercept;
//   values are slope·v+intercept in double, truncated to the type. Bits Stored < 16 of 16 allocated
//   is masked / sign-extended, MONOCHROME1 inverted before the rescale, Pixel Padding Value ignored.
// - geometry: spacing from Pixel Spacing (Imager Pixel Spacing for CR), swapped to column/row order,
//   0 → 1; third spacing Spacing Between Slices for one file, |last IPP − first IPP| / (n − 1) for a
//   series; origin = IPP of the first slice; direction = IOP orthogonalised as GDCMImageIO does.
// - order (SerieHelper::OrderFileList): by IPP projected on the normal of the first given file's IOP;
//   when all distances are equal or any two are, by Instance Number (when all differ), else by file
//   name (byte order). Spacing between slices 1 when the first and last sorted positions coincide.
// - grouping: read-image-dicom-file-series adds the files before it turns on the series details, so
//   GDCM groups them by Series Instance UID alone (Series Number, Sequence Name, … may differ).
// Files come with the header dicom-scan.ts parsed (nativeHeader): then only their pixel bytes are read.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import dicomParser from 'dicom-parser';
import type { Image } from 'itk-wasm';
import { allocateVolumeArray } from '../otsu/index.js';

/** What readDicomSeriesCached returns, for the files the native reader accepts. */
export interface NativeSeriesResult {
  image: Image;
  sortedFilenames: string[];
}

/** Typed-array views of little-endian pixel bytes are read as they are: only on little-endian hosts. */
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type OutputType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float64';
type OutputArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float64Array;

interface OutputArrayConstructor {
  new (length: number): OutputArray;
  new (buffer: ArrayBuffer | SharedArrayBuffer): OutputArray;
  BYTES_PER_ELEMENT: number;
}

const ARRAY_OF: Record<OutputType, OutputArrayConstructor> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float64: Float64Array,
};

/** Position of each type in GDCM's PixelFormat::ScalarType (ITK refuses an output "smaller" than the input). */
const GDCM_SCALAR_ORDER: Record<OutputType, number> = {
  uint8: 0,
  int8: 1,
  uint16: 4,
  int16: 5,
  uint32: 6,
  int32: 7,
  float64: 12,
};

const TRANSFER_SYNTAXES: Record<string, { bigEndian: boolean }> = {
  '1.2.840.10008.1.2': { bigEndian: false }, // implicit VR little endian
  '1.2.840.10008.1.2.1': { bigEndian: false }, // explicit VR little endian
  '1.2.840.10008.1.2.2': { bigEndian: true }, // explicit VR big endian
  '1.2.840.10008.1.2.1.99': { bigEndian: false }, // deflated explicit VR little endian
};

/**
 * SOP classes whose geometry GDCM reads from the plain image plane attributes (with ITK's
 * SecondaryCaptureImagePlaneModule on), with the tag of their in-plane spacing. Others (enhanced
 * multi-frame, NM, RT Dose, US, …) take spacing/origin from elsewhere: declined.
 */
const SOP_CLASSES: Record<string, { spacingTags: string[] }> = {
  '1.2.840.10008.5.1.4.1.1.2': { spacingTags: ['x00280030'] }, // CT
  '1.2.840.10008.5.1.4.1.1.4': { spacingTags: ['x00280030'] }, // MR
  '1.2.840.10008.5.1.4.1.1.128': { spacingTags: ['x00280030'] }, // PET
  '1.2.840.10008.5.1.4.1.1.1': { spacingTags: ['x00181164'] }, // CR: Imager Pixel Spacing
  // Secondary Capture: Pixel Spacing when present, else Nominal Scanned Pixel Spacing
  '1.2.840.10008.5.1.4.1.1.7': { spacingTags: ['x00280030', 'x00182010'] },
};

const DEFLATED = '1.2.840.10008.1.2.1.99';

interface PixelFormat {
  bitsAllocated: 8 | 16 | 32;
  bitsStored: number;
  signed: boolean;
}

/** One file, parsed and checked: what the volume needs from it besides its pixel bytes. */
export interface SliceInfo {
  path: string;
  sopClass: string;
  rows: number;
  columns: number;
  format: PixelFormat;
  intercept: number;
  slope: number;
  /** Image Position (Patient); [0, 0, 0] when absent (GDCM's default). */
  position: number[];
  /** Instance Number as GDCM's Attribute<0x0020,0x0013> reads it, for ImageNumberOrdering. */
  instanceNumber: number | 'missing' | 'malformed';
  /** Image Orientation (Patient) as GDCM returns it (default 1,0,0,0,1,0 when absent). */
  orientation: number[];
  /** Spacing in ITK order: along a row (column spacing), along a column (row spacing), between slices. */
  spacing: [number, number, number];
  /** SerieHelper's group: the Series Instance UID without the characters other than [.0-9A-Za-z]. */
  seriesKey: string;
  pixelKey: string;
  bigEndian: boolean;
  /** MONOCHROME1: GDCMImageIO inverts it to MONOCHROME2 before the rescale. */
  invert: boolean;
}

function inflater(bytes: Uint8Array, position: number): Uint8Array {
  const inflated = inflateRawSync(bytes.subarray(position));
  const full = new Uint8Array(position + inflated.length);
  full.set(bytes.subarray(0, position), 0);
  full.set(inflated, position);
  return full;
}

/** The value bytes of a top-level element as a latin1 string; undefined when absent. */
function rawString(ds: dicomParser.DataSet, tag: string): string | undefined {
  const el = ds.elements[tag];
  if (!el) return undefined;
  if (el.length === 0) return '';
  if (el.dataOffset + el.length > ds.byteArray.length || el.length < 0) return undefined;
  return Buffer.from(ds.byteArray.buffer, ds.byteArray.byteOffset + el.dataOffset, el.length).toString('latin1');
}

/** UI value without the trailing NUL/space padding. */
function uid(ds: dicomParser.DataSet, tag: string): string | undefined {
  return rawString(ds, tag)?.replace(/[\0 ]+$/, '');
}

const DS_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Values of a DS element as GDCM's `istream >> double` reads them (correctly rounded, like Number):
 * only plain decimal numbers are accepted, anything else declines (undefined). '' → [].
 */
function decimalStrings(raw: string): number[] | undefined {
  const text = raw.replace(/[\0 ]+$/, '');
  if (text.trim() === '') return [];
  const values: number[] = [];
  for (const part of text.split('\\')) {
    const p = part.trim();
    if (!DS_NUMBER.test(p)) return undefined;
    const v = Number(p);
    if (!Number.isFinite(v)) return undefined;
    values.push(v);
  }
  return values;
}

/** A DS element with exactly `count` values; 'absent' when missing or empty; undefined when malformed. */
function decimals(ds: dicomParser.DataSet, tag: string, count: number): number[] | 'absent' | undefined {
  const raw = rawString(ds, tag);
  if (raw === undefined) return 'absent';
  const values = decimalStrings(raw);
  if (values === undefined) return undefined;
  if (values.length === 0) return 'absent';
  return values.length === count ? values : undefined;
}

/** US value of a one-value element (exactly 2 bytes); undefined when absent or malformed. */
function ushort(ds: dicomParser.DataSet, tag: string): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length !== 2) return undefined;
  return ds.uint16(tag);
}

function readPixelFormat(ds: dicomParser.DataSet): PixelFormat | undefined {
  const allocated = ushort(ds, 'x00280100');
  const stored = ushort(ds, 'x00280101');
  const highBit = ushort(ds, 'x00280102');
  const representation = ushort(ds, 'x00280103');
  if (allocated !== 8 && allocated !== 16 && allocated !== 32) return undefined;
  if (stored === undefined || highBit === undefined || (representation !== 0 && representation !== 1)) return undefined;
  if (stored < 1 || stored > allocated || highBit !== stored - 1) return undefined;
  // GDCM masks unused bits only for 16 bits allocated; 8-bit values with unused high bits overflow
  // the rescaled type, 32-bit ones fail in GDCM's overlay cleanup.
  if (allocated !== 16 && stored !== allocated) return undefined;
  return { bitsAllocated: allocated, bitsStored: stored, signed: representation === 1 };
}

/** The type GDCM stores the pixels in (PixelFormat::GetScalarType). */
function storedType(f: PixelFormat): OutputType {
  if (f.bitsAllocated === 8) return f.signed ? 'int8' : 'uint8';
  if (f.bitsAllocated === 16) return f.signed ? 'int16' : 'uint16';
  return f.signed ? 'int32' : 'uint32';
}

/**
 * ITK's output pixel type: the stored type without rescale, else GDCM's
 * Rescaler::ComputeInterceptSlopePixelType (ComputeBestFit over the Bits Stored range).
 */
function outputType(f: PixelFormat, intercept: number, slope: number): OutputType | undefined {
  const input = storedType(f);
  if (slope === 1 && intercept === 0) return input;
  // GDCM tests `Slope != (int)Slope`: keep to the range where that cast is defined.
  if (Math.abs(slope) >= 2 ** 31 || Math.abs(intercept) >= 2 ** 31) return undefined;
  let output: OutputType | undefined;
  if (!Number.isInteger(slope) || !Number.isInteger(intercept)) {
    output = 'float64';
  } else {
    const lo = f.signed ? -(2 ** (f.bitsStored - 1)) : 0;
    const hi = f.signed ? 2 ** (f.bitsStored - 1) - 1 : 2 ** f.bitsStored - 1;
    const min = slope * (slope >= 0 ? lo : hi) + intercept;
    const max = slope * (slope >= 0 ? hi : lo) + intercept;
    if (min >= 0) {
      if (max <= 0xff) output = 'uint8';
      else if (max <= 0xffff) output = 'uint16';
      else if (max <= 0xffffffff) output = 'uint32';
      else if (max <= 2 ** 64) output = 'float64';
    } else if (min >= -128 && max <= 127) output = 'int8';
    else if (min >= -32768 && max <= 32767) output = 'int16';
    else if (min >= -(2 ** 31) && max <= 2 ** 31 - 1) output = 'int32';
    else if (min >= -(2 ** 63) && max <= 2 ** 63) output = 'float64';
  }
  // GDCMImageIO throws "Pixel type larger than output type" for these.
  if (output === undefined || GDCM_SCALAR_ORDER[input] > GDCM_SCALAR_ORDER[output]) return undefined;
  return output;
}

/** Rescale Intercept/Slope as GDCM reads them (absent/empty → 0/1, slope 0 → 1). */
function readRescale(ds: dicomParser.DataSet): { intercept: number; slope: number } | undefined {
  const intercept = decimals(ds, 'x00281052', 1);
  const slope = decimals(ds, 'x00281053', 1);
  if (intercept === undefined || slope === undefined) return undefined;
  const s = slope === 'absent' ? 1 : slope[0]!;
  return { intercept: intercept === 'absent' ? 0 : intercept[0]!, slope: s === 0 ? 1 : s };
}

/** GDCM's DirectionCosines::IsValid: unit row/column vectors (±1e-3), orthogonal (±1e-3). */
function validCosines(c: number[]): boolean {
  const n1 = c[0]! * c[0]! + c[1]! * c[1]! + c[2]! * c[2]!;
  const n2 = c[3]! * c[3]! + c[4]! * c[4]! + c[5]! * c[5]!;
  const dot = c[0]! * c[3]! + c[1]! * c[4]! + c[2]! * c[5]!;
  return Math.abs(n1 - 1) < 1e-3 && Math.abs(n2 - 1) < 1e-3 && Math.abs(dot) < 1e-3;
}

/** In-plane spacing as GDCM's ImageHelper::GetSpacingValue reads it, in ITK order (columns, rows). */
function readInPlaneSpacing(ds: dicomParser.DataSet, tags: string[]): [number, number] | undefined {
  const tag = tags.find((t) => ds.elements[t] !== undefined);
  const raw = tag === undefined ? undefined : rawString(ds, tag);
  if (raw === undefined) return [1, 1];
  const values = decimalStrings(raw);
  if (values === undefined) return undefined;
  if (values.length === 0) return [1, 1];
  let rowSpacing: number;
  let columnSpacing: number;
  if (raw.includes('\\')) {
    if (values.length !== 2) return undefined;
    [rowSpacing, columnSpacing] = values as [number, number];
  } else {
    rowSpacing = columnSpacing = values[0]!;
  }
  const fix = (v: number) => (v === 0 ? 1 : v);
  const spacing: [number, number] = [fix(columnSpacing), fix(rowSpacing)];
  // ITK flips the axis of a negative spacing: not reproduced.
  return spacing[0] > 0 && spacing[1] > 0 ? spacing : undefined;
}

/** Third spacing of a single slice: Spacing Between Slices (0018,0088), else 1. */
function readSliceSpacing(ds: dicomParser.DataSet): number | undefined {
  // Frame Increment Pointer: GDCM follows it (multi-frame); not reproduced.
  if (ds.elements['x00280009']) return undefined;
  const z = decimals(ds, 'x00180088', 1);
  if (z === undefined) return undefined;
  if (z === 'absent') return 1;
  return z[0]! > 0 ? z[0] : undefined;
}

function hasOverlays(ds: dicomParser.DataSet): boolean {
  return Object.keys(ds.elements).some((t) => /^x60[0-9a-f]{2}/.test(t));
}

/**
 * The native (not encapsulated) Pixel Data element with at least `expectedBytes` bytes, in a VR whose
 * bytes GDCM reads as this reader does; undefined when anything is off. Its bytes are not checked to
 * be within the file here (see wholeFileSlice / nativeHeader).
 */
function pixelElement(
  ds: dicomParser.DataSet,
  expectedBytes: number,
  bigEndian: boolean,
  bitsAllocated: number,
): dicomParser.Element | undefined {
  const el = ds.elements['x7fe00010'];
  if (!el || el.encapsulatedPixelData || el.hadUndefinedLength || el.length < expectedBytes) return undefined;
  if (el.vr !== undefined && el.vr !== 'OB' && el.vr !== 'OW') return undefined;
  if (bigEndian) {
    // GDCM swaps OW in 16-bit words while reading and leaves OB alone: only those pairs match.
    const ok = (bitsAllocated === 16 && el.vr === 'OW') || (bitsAllocated === 8 && el.vr === 'OB');
    if (!ok) return undefined;
  }
  return el;
}

const INTEGER = /^ *[+-]?\d+[ \0]*$/;

/**
 * Instance Number as SerieHelper reads it (Attribute<0x0020,0x0013>: `istream >> int32`): 'missing'
 * when absent or empty; 'malformed' for anything but a plain integer in range (or in another VR).
 */
function readInstanceNumber(ds: dicomParser.DataSet): SliceInfo['instanceNumber'] {
  const el = ds.elements['x00200013'];
  if (!el || el.length === 0) return 'missing';
  if (el.vr !== undefined && el.vr !== 'IS') return 'malformed';
  const raw = rawString(ds, 'x00200013');
  if (raw === undefined || !INTEGER.test(raw)) return 'malformed';
  const v = Number.parseInt(raw.trim(), 10);
  return v >= -(2 ** 31) && v < 2 ** 31 ? v : 'malformed';
}

/**
 * A file's header checked against what this reader reproduces (from a header-only or a whole-file
 * parse: only elements before the pixel data are looked at); undefined when it is outside.
 */
function sliceHeader(ds: dicomParser.DataSet, path: string): { info: SliceInfo; pixels: dicomParser.Element } | undefined {
  const ts = TRANSFER_SYNTAXES[uid(ds, 'x00020010') ?? ''];
  // MediaStorage::SetFromFile: SOP Class UID of the data set, else the meta header's.
  const sopClass = uid(ds, 'x00080016') || uid(ds, 'x00020002') || '';
  const sop = SOP_CLASSES[sopClass];
  if (!ts || !sop) return undefined;

  const rows = ushort(ds, 'x00280010');
  const columns = ushort(ds, 'x00280011');
  const samples = ds.elements['x00280002'] ? ushort(ds, 'x00280002') : 1;
  const photometric = rawString(ds, 'x00280004')?.replace(/[\0 ]+$/, '');
  const frames = rawString(ds, 'x00280008')?.replace(/[\0 ]+$/, '').trim();
  if (!rows || !columns || rows === 1 || columns === 1 || samples !== 1) return undefined;
  if (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2') return undefined;
  const invert = photometric === 'MONOCHROME1';
  if (frames !== undefined && frames !== '1') return undefined;
  if (ds.elements['x00280005'] || hasOverlays(ds)) return undefined;
  // Functional groups would take precedence in GDCM for geometry and rescale.
  if (ds.elements['x52009229'] || ds.elements['x52009230']) return undefined;

  const format = readPixelFormat(ds);
  const rescale = readRescale(ds);
  if (!format || !rescale) return undefined;
  // GDCM's DoInvertMonochrome has no 32-bit case.
  if (invert && format.bitsAllocated === 32) return undefined;

  const position = decimals(ds, 'x00200032', 3);
  const orientation = decimals(ds, 'x00200037', 6);
  if (position === undefined || orientation === undefined) return undefined;
  const cosines = orientation === 'absent' ? [1, 0, 0, 0, 1, 0] : orientation;
  // GDCM normalises invalid cosines (or falls back to identity): not reproduced.
  if (!validCosines(cosines)) return undefined;

  const inPlane = readInPlaneSpacing(ds, sop.spacingTags);
  const sliceSpacing = readSliceSpacing(ds);
  if (!inPlane || sliceSpacing === undefined) return undefined;

  const pixels = pixelElement(ds, rows * columns * (format.bitsAllocated / 8), ts.bigEndian, format.bitsAllocated);
  if (!pixels) return undefined;

  const info: SliceInfo = {
    path,
    sopClass,
    rows,
    columns,
    format,
    intercept: rescale.intercept,
    slope: rescale.slope,
    position: position === 'absent' ? [0, 0, 0] : position,
    instanceNumber: readInstanceNumber(ds),
    orientation: cosines,
    spacing: [inPlane[0], inPlane[1], sliceSpacing],
    seriesKey: (rawString(ds, 'x0020000e') ?? '').replace(/[^.0-9A-Za-z]/g, ''),
    pixelKey: JSON.stringify([sopClass, rows, columns, format, photometric, rescale]),
    bigEndian: ts.bigEndian,
    invert,
  };
  return { info, pixels };
}

function sliceBytes(info: SliceInfo): number {
  return info.rows * info.columns * (info.format.bitsAllocated / 8);
}

/** Reads and parses the whole file; undefined when it is outside what this reader reproduces. */
function wholeFileSlice(path: string): { info: SliceInfo; pixels: Uint8Array } | undefined {
  const bytes = readFileSync(path);
  let ds: dicomParser.DataSet;
  try {
    ds = dicomParser.parseDicom(bytes, {
      inflater: inflater as unknown as (arr: Uint8Array, position: number) => void,
    });
  } catch {
    return undefined;
  }
  const slice = sliceHeader(ds, path);
  if (!slice) return undefined;
  const start = slice.pixels.dataOffset;
  const end = start + sliceBytes(slice.info);
  if (end > ds.byteArray.length) return undefined;
  return { info: slice.info, pixels: ds.byteArray.subarray(start, end) };
}

/**
 * What the native reader needs of one file, worked out by dicom-scan.ts from the header it parsed
 * (parseDicom up to the Pixel Data tag), so the reader reads only the pixel bytes: 'slice' with the
 * pixel bytes' place in the file, or 'decline' when the file is outside what this reader reproduces.
 */
export type NativeHeader =
  | { kind: 'slice'; info: SliceInfo; fileSize: number; pixelOffset: number }
  | { kind: 'decline' };

/**
 * The native header of a file from its header-only parse (`ds`, of a file of `fileSize` bytes), or
 * undefined when only a whole-file parse decides (deflated, or anything after the pixel data: the
 * reader then reads and parses the file itself). Otherwise the whole-file parse would hold the same
 * elements up to and including the Pixel Data element, and nothing after it.
 */
export function nativeHeader(ds: dicomParser.DataSet, path: string, fileSize: number): NativeHeader | undefined {
  if (uid(ds, 'x00020010') === DEFLATED) return undefined;
  const el = ds.elements['x7fe00010'];
  if (el && !el.hadUndefinedLength && el.dataOffset + el.length !== fileSize) return undefined;
  const slice = sliceHeader(ds, path);
  if (!slice) return { kind: 'decline' };
  return { kind: 'slice', info: slice.info, fileSize, pixelOffset: slice.pixels.dataOffset };
}

/**
 * Reads `length` bytes at `offset` of `path` into `into` (or a new array); undefined when the file is
 * no longer `fileSize` bytes long or ends early.
 */
function readRegion(path: string, fileSize: number, offset: number, length: number, into?: Uint8Array): Uint8Array | undefined {
  const fd = openSync(path, 'r');
  try {
    if (fstatSync(fd).size !== fileSize) return undefined;
    const out = into ?? new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const r = readSync(fd, out, got, length - got, offset + got);
      if (r === 0) return undefined;
      got += r;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Distance of each slice's IPP along the normal of the first given slice's IOP (SerieHelper). */
function distancesAlongNormal(slices: SliceInfo[]): number[] {
  const c = slices[0]!.orientation;
  const normal = [c[1]! * c[5]! - c[2]! * c[4]!, c[2]! * c[3]! - c[0]! * c[5]!, c[0]! * c[4]! - c[1]! * c[3]!];
  return slices.map((s) => {
    let d = 0;
    for (let i = 0; i < 3; i++) d += normal[i]! * s.position[i]!;
    return d;
  });
}

/** std::string operator< on the UTF-8 file names: byte order. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * GDCM SerieHelper::OrderFileList (no user order, DirectOrder): returns the indices of `slices` in
 * the order GDCM gives, undefined where that order is not reproduced.
 * 1. ImagePositionPatientOrdering: IPP distances along the normal of the first given file's IOP,
 *    ascending; fails when all distances are equal (min == max) or any distance occurs twice.
 * 2. ImageNumberOrdering: Instance Number (−1 when missing), ascending; fails unless all differ.
 *    Its sort predicate reads a missing number uninitialised (undefined behaviour): declined.
 * 3. FileNameOrdering: file names in byte order (two equal names: declined).
 */
function gdcmOrder(slices: SliceInfo[]): number[] | undefined {
  const n = slices.length;
  const indices = slices.map((_, i) => i);
  if (n === 1) return indices;
  const dist = distancesAlongNormal(slices);
  const min = Math.min(...dist);
  const max = Math.max(...dist);
  if (min !== max && new Set(dist).size === n) return indices.sort((a, b) => dist[a]! - dist[b]!);

  const numbers = slices.map((s) => s.instanceNumber);
  if (numbers.includes('malformed')) return undefined;
  const values = numbers.map((v) => (v === 'missing' ? -1 : (v as number)));
  if (new Set(values).size === n) {
    if (numbers.includes('missing')) return undefined;
    return indices.sort((a, b) => values[a]! - values[b]!);
  }

  if (new Set(slices.map((s) => s.path)).size !== n) return undefined;
  return indices.sort((a, b) => compareBytes(slices[a]!.path, slices[b]!.path));
}

function cross(a: number[], b: number[]): number[] {
  return [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
}

/** vnl_c_vector::normalize: multiply by 1 / sqrt(sum of squares). */
function normalize(v: number[]): number[] {
  let sum = 0;
  for (const x of v) sum += x * x;
  if (sum === 0) return v;
  const k = 1 / Math.sqrt(sum);
  return v.map((x) => k * x);
}

/**
 * GDCMImageIO's direction: slice = row × column, normalised; row = column × slice, normalised;
 * column = slice × row. Row-major 3×3 matrix whose columns are the axes (itk-wasm's layout).
 */
function directionOf(cosines: number[]): Float64Array {
  const rowIn = cosines.slice(0, 3);
  const colIn = cosines.slice(3, 6);
  const slice = normalize(cross(rowIn, colIn));
  const row = normalize(cross(colIn, slice));
  const col = cross(slice, row);
  const d = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    d[3 * r] = row[r]!;
    d[3 * r + 1] = col[r]!;
    d[3 * r + 2] = slice[r]!;
  }
  // ImageBase::SetDirection writes only the elements that differ (!=) from the identity it starts
  // with, so a −0 off the diagonal stays +0.
  for (let i = 0; i < 9; i++) if (d[i] === 0 && i % 4 !== 0) d[i] = 0;
  return d;
}

/** itk-wasm hands origin and spacing over as JSON, where a −0 comes back as 0 (observed). */
function jsonNumbers(values: number[]): number[] {
  return values.map((v) => v + 0);
}

/**
 * ImageSeriesReader: spacing between slices = |IPP(last) − IPP(first)| / (n − 1) (Vector::GetNorm),
 * or 1 when that distance is Math::AlmostEquals to 0 (FloatAlmostEqual: |d| ≤ 0.1·ε, the ULP test
 * adds nothing next to 0), as when every slice has the same position.
 */
function seriesSliceSpacing(first: SliceInfo, last: SliceInfo, n: number): number {
  let sum = 0;
  for (let j = 0; j < 3; j++) {
    const d = last.position[j]! - first.position[j]!;
    sum += d * d;
  }
  const norm = Math.sqrt(sum);
  return norm <= 0.1 * Number.EPSILON ? 1 : norm / (n - 1);
}

/**
 * The pixel bytes as a little-endian view aligned to `align` bytes: a copy only when the bytes are
 * big endian (swapped in 16-bit words, as GDCM does while reading OW) or not aligned.
 */
function littleEndianBytes(s: SliceInfo, pixels: Uint8Array, align: number): Uint8Array {
  if (s.bigEndian && s.format.bitsAllocated === 16) {
    const copy = new Uint8Array(pixels);
    Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength).swap16();
    return copy;
  }
  return pixels.byteOffset % align === 0 ? pixels : new Uint8Array(pixels);
}

/**
 * Stored values of one slice as GDCMImageIO hands them to the rescale: byte order resolved, unused
 * high bits of 16 allocated masked (unsigned) or sign-extended (signed) as ImageCodec's overlay
 * cleanup does, MONOCHROME1 inverted as ImageCodec::DoInvertMonochrome does (unsigned: max − v with
 * max = 2^BitsStored − 1; signed: the bitwise complement, −v − 1). A view of the file bytes when
 * nothing needs changing.
 */
function storedValues(s: SliceInfo, pixels: Uint8Array): OutputArray {
  const n = s.rows * s.columns;
  const f = s.format;
  const cleanup = f.bitsStored !== f.bitsAllocated;
  const bytes = littleEndianBytes(s, pixels, f.bitsAllocated === 16 && (cleanup || s.invert) ? 4 : f.bitsAllocated / 8);
  const { buffer, byteOffset } = bytes;
  if (f.bitsAllocated === 32) return f.signed ? new Int32Array(buffer, byteOffset, n) : new Uint32Array(buffer, byteOffset, n);
  if (f.bitsAllocated === 8) {
    const raw = f.signed ? new Int8Array(buffer, byteOffset, n) : bytes.subarray(0, n);
    if (!s.invert) return raw;
    const out = f.signed ? new Int8Array(n) : new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = ~raw[i]!;
    return out;
  }
  const words = new Uint16Array(buffer, byteOffset, n);
  if (!cleanup && !s.invert) return f.signed ? new Int16Array(buffer, byteOffset, n) : words;
  if (f.signed) {
    // Sign bit (bit Bits Stored − 1) propagated into the unused bits; a no-op for 16 bits stored.
    const out = new Int16Array(n);
    const shift = 32 - f.bitsStored;
    const flip = s.invert ? -1 : 0;
    for (let i = 0; i < n; i++) out[i] = ((words[i]! << shift) >> shift) ^ flip;
    return out;
  }
  const out = new Uint16Array(n);
  const mask = 0xffff >>> (16 - f.bitsStored);
  // Two 16-bit lanes per 32-bit operation: no borrow crosses lanes, each lane stays ≤ mask.
  const pairs = n >>> 1;
  const in32 = new Uint32Array(buffer, byteOffset, pairs);
  const out32 = new Uint32Array(out.buffer, 0, pairs);
  const mask2 = mask * 0x10001;
  if (s.invert) {
    for (let i = 0; i < pairs; i++) out32[i] = mask2 - (in32[i]! & mask2);
    for (let i = 2 * pairs; i < n; i++) out[i] = mask - (words[i]! & mask);
  } else {
    for (let i = 0; i < pairs; i++) out32[i] = in32[i]! & mask2;
    for (let i = 2 * pairs; i < n; i++) out[i] = words[i]! & mask;
  }
  return out;
}

/** Writes one slice's values at `offset`, rescaled like GDCM's Rescaler (slope·v + intercept, truncated). */
function writeSlice(s: SliceInfo, pixels: Uint8Array, out: OutputArray, offset: number): void {
  const values = storedValues(s, pixels);
  if (s.slope === 1 && s.intercept === 0) {
    out.set(values, offset);
    return;
  }
  const { slope, intercept } = s;
  const n = values.length;
  if (out instanceof Float64Array) {
    for (let i = 0; i < n; i++) out[offset + i] = slope * values[i]! + intercept;
  } else {
    // Integer slope/intercept over the Bits Stored range: exact and within the output type.
    for (let i = 0; i < n; i++) out[offset + i] = Math.trunc(slope * values[i]! + intercept);
  }
}

/**
 * Reorders whole slices in place so that slice k ends up holding what slice order[k] held (cycle by
 * cycle, one slice of scratch), instead of a second volume-sized buffer.
 */
function permuteSlices(data: OutputArray, perSlice: number, order: number[]): void {
  const placed = new Uint8Array(order.length);
  let scratch: OutputArray | undefined;
  for (let start = 0; start < order.length; start++) {
    if (placed[start] || order[start] === start) continue;
    scratch ??= data.slice(0, perSlice);
    scratch.set(data.subarray(start * perSlice, (start + 1) * perSlice));
    for (let k = start; ; ) {
      const from = order[k]!;
      placed[k] = 1;
      if (from === start) {
        data.set(scratch, k * perSlice);
        break;
      }
      data.copyWithin(k * perSlice, from * perSlice, (from + 1) * perSlice);
      k = from;
    }
  }
}

/** True when a slice's stored bytes are its output values as they are (writeSlice would only copy them). */
function verbatim(s: SliceInfo, type: OutputType): boolean {
  const f = s.format;
  return (
    storedType(f) === type &&
    s.slope === 1 &&
    s.intercept === 0 &&
    !s.invert &&
    f.bitsStored === f.bitsAllocated &&
    (!s.bigEndian || f.bitsAllocated === 8)
  );
}

/**
 * One SerieHelper group with one pixel layout and rescale (GDCM applies the last slice's rescale
 * and the first given file's pixel type to every slice).
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

function readSeries(files: string[], headers: readonly (NativeHeader | undefined)[]): NativeSeriesResult | undefined {
  // What the scan already tells: decline before reading anything.
  let known: SliceInfo | undefined;
  for (const h of headers) {
    if (h?.kind === 'decline') return undefined;
    if (h) {
      known ??= h.info;
      if (!sameVolume(h.info, known)) return undefined;
    }
  }

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
      data = allocateVolumeArray(ARRAY_OF[type], info.rows * info.columns * files.length);
    }
    const offset = i * info.rows * info.columns;
    if (scanned) {
      const bytes = sliceBytes(info);
      const direct = verbatim(info, type!);
      const into = direct ? new Uint8Array(data.buffer, data.byteOffset + offset * data.BYTES_PER_ELEMENT, bytes) : undefined;
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
  if (!data || !type) return undefined;

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

// The one entry into dicom-parser for kaapana-otsu's DICOM readers (the header scan, dicom-scan.ts,
// and the native reader's whole-file parse, native-dicom/read-file.ts): Part-10 files as they are,
// and the files GDCM reads without a preamble, as its FileMetaInformation::ReadCompat tells them
// apart (GDCM 3.0, Source/DataStructureAndEncodingDefinition/gdcmFileMetaInformation.cxx):
// - the data starts with group 0002 (File Meta without preamble): the meta group gives the syntax;
// - it starts with group 0008 (ACR-NEMA style, no File Meta): explicit VR little endian when bytes
//   4–5 are a VR, else implicit VR little endian;
// - it starts with another element: explicit VR (big endian when the tag read little endian has a
//   group or element above 0xff, else little endian) when bytes 4–5 are a VR, else not DICOM.
// dicom-parser itself needs "DICM" at byte 128, so such a file is parsed behind a made-up Part-10
// prefix (preamble, "DICM" and, without File Meta, a (0002,0010) element with the guessed syntax):
// element offsets are then `prefix` bytes past the file's own. Deflated data sets are inflated with
// node:zlib, no further than MAX_INFLATED_BYTES (a deflated data set declares no size of its own, so
// the bound is a chosen one: no single-file series kaapana-otsu reads comes near it, and a deflate
// bomb stops there with InflateLimitError instead of exhausting memory). An implicit VR File Meta
// group without preamble (GDCM reads it) is refused here.
import { inflateRawSync } from 'node:zlib';
import dicomParser from 'dicom-parser';

/** A parsed data set and how many made-up bytes precede the file's own in `ds.byteArray`. */
export interface ParsedDicom {
  ds: dicomParser.DataSet;
  /** Offsets in `ds` minus `prefix` are offsets in the file. */
  prefix: number;
}

/** Most bytes a deflated data set may inflate to (256 MiB: a 512×512×512 16-bit multi-frame image). */
export const MAX_INFLATED_BYTES = 256 * 1024 * 1024;

/** Thrown when a deflated data set inflates to more than MAX_INFLATED_BYTES. */
export class InflateLimitError extends Error {}

/** The bytes up to `position` followed by the raw-inflated rest (what dicom-parser parses on). */
function inflater(bytes: Uint8Array, position: number): Uint8Array {
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(bytes.subarray(position), { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') throw e;
    throw new InflateLimitError(`its deflated data set inflates to more than ${MAX_INFLATED_BYTES} bytes`);
  }
  const full = new Uint8Array(position + inflated.length);
  full.set(bytes.subarray(0, position), 0);
  full.set(inflated, position);
  return full;
}

const VRS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';

/** True when the file has the Part-10 preamble ("DICM" at byte 128). */
export function hasPreamble(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d
  );
}

/**
 * Without a preamble: the made-up Part-10 prefix GDCM's reading implies (see the header), or a
 * reason why the bytes are not DICOM.
 */
export function prefixWithoutPreamble(bytes: Uint8Array): Uint8Array | string {
  if (bytes.length < 8) return 'too short for a DICOM data set';
  const group = bytes[0]! | (bytes[1]! << 8);
  const element = bytes[2]! | (bytes[3]! << 8);
  const isVr = VRS.has(String.fromCharCode(bytes[4]!, bytes[5]!));
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  if (group === 0x0002) {
    if (!isVr) return 'File Meta Information without preamble in implicit VR is not supported';
    return preamble;
  }
  let ts: string;
  if (group === 0x0008) ts = isVr ? EXPLICIT_LE : IMPLICIT_LE;
  else if (isVr) ts = group > 0xff || element > 0xff ? EXPLICIT_BE : EXPLICIT_LE;
  else return 'no preamble ("DICM" at byte 128), no File Meta Information and no DICOM element at the start';
  // (0002,0000) group length, UL, then (0002,0010) UI: what GDCM's FileMetaInformation::Read expects.
  const value = ts.length % 2 === 0 ? ts : `${ts}\0`;
  const meta = new Uint8Array(12 + 8 + value.length);
  meta.set([0x02, 0x00, 0x00, 0x00, 0x55, 0x4c, 4, 0, 8 + value.length, 0, 0, 0]);
  meta.set([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, value.length, 0], 12);
  meta.set(Buffer.from(value, 'latin1'), 20);
  const prefix = new Uint8Array(preamble.length + meta.length);
  prefix.set(preamble);
  prefix.set(meta, preamble.length);
  return prefix;
}

/**
 * The file as a Part-10 file: `bytes` themselves when they have a preamble, else behind the made-up
 * prefix (for itk-wasm's GDCM, which does not read every file ITK 5.2's GDCM reads without one).
 * Unrecognised bytes are returned unchanged (the reader then says what is wrong).
 */
export function asPart10(bytes: Uint8Array): Uint8Array {
  if (hasPreamble(bytes)) return bytes;
  const prefix = prefixWithoutPreamble(bytes);
  if (typeof prefix === 'string') return bytes;
  const joined = new Uint8Array(prefix.length + bytes.length);
  joined.set(prefix);
  joined.set(bytes, prefix.length);
  return joined;
}

/** Thrown (as dicom-parser throws strings) when the bytes are not DICOM at all. */
export class NotDicomError extends Error {}

/**
 * Parses `bytes` (a file's first bytes or all of it) with dicom-parser, up to `untilTag` when given.
 * Throws NotDicomError when neither a preamble nor a start GDCM recognises is there, and whatever
 * dicom-parser throws on malformed data.
 */
export function parseDicomBytes(bytes: Uint8Array, untilTag?: string): ParsedDicom {
  const options = {
    ...(untilTag !== undefined ? { untilTag } : {}),
    inflater: inflater as unknown as (arr: Uint8Array, position: number) => void,
  };
  if (hasPreamble(bytes)) return { ds: dicomParser.parseDicom(bytes, options), prefix: 0 };
  const prefix = prefixWithoutPreamble(bytes);
  if (typeof prefix === 'string') throw new NotDicomError(prefix);
  const joined = asPart10(bytes);
  return { ds: dicomParser.parseDicom(joined, options), prefix: joined.length - bytes.length };
}

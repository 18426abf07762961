// Fast path for NRRD files (attached .nrrd, detached .nhdr + one data file): read in TypeScript
// (node:fs, node:zlib) without starting itk-wasm's NRRD reader (a WebAssembly compile, and a wasm
// memory growth that detaches an ArrayBuffer, after which V8 runs every typed-array loop of the
// process ~50 % slower). Owns reproducing, for the files it accepts, exactly what `readImageNode`
// of @itk-wasm/image-io returns: ITK 5.4's NrrdImageIO over NrrdIO (Teem) as itk-wasm runs it
// (ImageIO → WasmImageIOBase, no ImageFileReader: negative spacings stay, no ITK_original_*
// metadata). Everything else is declined (undefined) and read by itk-wasm, which also keeps its
// error messages for malformed files. What NrrdIO/ITK do, in short:
// - header: magic line NRRD0001–NRRD0005, lines ended by \n, \r or \r\n, "field: value" (field
//   names case-insensitive, value after the ": " and any blanks), "key:=value" (\n and \\ escapes),
//   "#" comments; each field once; an empty line ends it (attached data follows), or end of file when
//   a "data file" is given (relative to the header's directory).
// - geometry: with "space"/"space dimension" (must equal the number of axes) and "space
//   directions", spacing = |v| (sqrt of the summed squares), direction = (1/|v|)·v, as column j of
//   the row-major direction matrix; origin = "space origin"; in right-anterior-superior space the
//   first two coordinates of directions and origin are negated (left-anterior-superior: the first),
//   so −0 appears where a zero is flipped, and itk-wasm keeps it. Without space: "spacings" (any
//   non-zero value, negative too), identity direction, origin 0. Defaults spacing 1, origin 0.
// - metadata: ITK_InputFilterName = NrrdImageIO, the key/value pairs (overriding it), then
//   NRRD_thicknesses[i] (number), NRRD_centerings[i], NRRD_kinds[i], NRRD_content, NRRD_old min/max
//   (numbers), NRRD_space (left-posterior-superior for RAS/LAS/LPS), in std::map (byte) key order.
// - voxels: raw or gzip (concatenated members), big endian swapped, "line skip" lines (\n, \r,
//   \r\n) and "byte skip" bytes before raw data, byte skip inside the gunzipped stream for gzip,
//   "byte skip: -N-1" (raw: the data end N bytes before the end of the file); the voxels go into
//   allocateVolumeArray's arrays (2^22 voxels or more: shared memory, for the two-thread Otsu).
// Declined on purpose: other encodings (ascii, hex, bzip2), 64-bit and block types, non-domain axes
// (vector/RGB/tensor pixels), dimensions other than 2 and 3, axis mins/maxs, labels, units,
// measurement frame, 4-D spaces, multiple or templated data files, data files outside the header's
// directory (itk-wasm mounts only that one), numbers not written as plain decimals, non-ASCII or
// control characters in the header, gzip data node's gunzip refuses (also: other bytes after the
// last member) or with a negative byte skip, anything NrrdIO would refuse, and volumes of 2 GiB or
// more.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { dirname, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Image } from 'itk-wasm';
import { allocateVolumeArray } from '../otsu/index.js';

type ComponentType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';
type VoxelArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** Why a file was declined, for tests and debugging. */
class Decline extends Error {}

function decline(reason: string): never {
  throw new Decline(reason);
}

/** The header did not end within the bytes read so far. */
class NeedMore extends Error {}

/** NrrdIO's nrrdField names (airEnum, compared lower-cased), with the equivalent spellings. */
const FIELDS: Record<string, string> = {
  content: 'content',
  number: 'number',
  type: 'type',
  'block size': 'block size',
  blocksize: 'block size',
  dimension: 'dimension',
  space: 'space',
  'space dimension': 'space dimension',
  spacedimension: 'space dimension',
  sizes: 'sizes',
  spacings: 'spacings',
  thicknesses: 'thicknesses',
  'axis mins': 'axis mins',
  axismins: 'axis mins',
  'axis maxs': 'axis maxs',
  axismaxs: 'axis maxs',
  'space directions': 'space directions',
  spacedirections: 'space directions',
  centers: 'centers',
  centerings: 'centers',
  kinds: 'kinds',
  labels: 'labels',
  units: 'units',
  min: 'min',
  max: 'max',
  'old min': 'old min',
  oldmin: 'old min',
  'old max': 'old max',
  oldmax: 'old max',
  endian: 'endian',
  encoding: 'encoding',
  'line skip': 'line skip',
  lineskip: 'line skip',
  'byte skip': 'byte skip',
  byteskip: 'byte skip',
  'key/value': 'key/value',
  'sample units': 'sample units',
  sampleunits: 'sample units',
  'space units': 'space units',
  spaceunits: 'space units',
  'space origin': 'space origin',
  spaceorigin: 'space origin',
  'measurement frame': 'measurement frame',
  measurementframe: 'measurement frame',
  'data file': 'data file',
  datafile: 'data file',
};

/** nrrdType spellings (lower-cased) of the types itk-wasm returns as 8–32-bit integer or float arrays. */
const TYPES: Record<string, ComponentType> = {
  'signed char': 'int8',
  int8: 'int8',
  int8_t: 'int8',
  uchar: 'uint8',
  'unsigned char': 'uint8',
  uint8: 'uint8',
  uint8_t: 'uint8',
  short: 'int16',
  'short int': 'int16',
  'signed short': 'int16',
  'signed short int': 'int16',
  int16: 'int16',
  int16_t: 'int16',
  ushort: 'uint16',
  'unsigned short': 'uint16',
  'unsigned short int': 'uint16',
  uint16: 'uint16',
  uint16_t: 'uint16',
  int: 'int32',
  'signed int': 'int32',
  int32: 'int32',
  int32_t: 'int32',
  uint: 'uint32',
  'unsigned int': 'uint32',
  uint32: 'uint32',
  uint32_t: 'uint32',
  float: 'float32',
  double: 'float64',
};

const BYTES: Record<ComponentType, number> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  float64: 8,
};

/** What ITK's reader does with a 3-D space: flips of the first two coordinates, NRRD_space value. */
interface SpaceInfo {
  flip: [number, number];
  name: string;
}
const LPS = 'left-posterior-superior';
const RAS: SpaceInfo = { flip: [-1, -1], name: LPS };
const LAS: SpaceInfo = { flip: [-1, 1], name: LPS };
const LPS_SPACE: SpaceInfo = { flip: [1, 1], name: LPS };
const SCANNER: SpaceInfo = { flip: [1, 1], name: 'scanner-xyz' };
const RIGHT_HANDED: SpaceInfo = { flip: [1, 1], name: '3D-right-handed' };
const LEFT_HANDED: SpaceInfo = { flip: [1, 1], name: '3D-left-handed' };
/** nrrdSpace spellings (lower-cased) of the 3-D spaces; the 4-D (time) ones are declined. */
const SPACES: Record<string, SpaceInfo> = {
  'right-anterior-superior': RAS,
  'right anterior superior': RAS,
  rightanteriorsuperior: RAS,
  ras: RAS,
  'left-anterior-superior': LAS,
  'left anterior superior': LAS,
  leftanteriorsuperior: LAS,
  las: LAS,
  'left-posterior-superior': LPS_SPACE,
  'left posterior superior': LPS_SPACE,
  leftposteriorsuperior: LPS_SPACE,
  lps: LPS_SPACE,
  'scanner-xyz': SCANNER,
  '3d-right-handed': RIGHT_HANDED,
  '3d right handed': RIGHT_HANDED,
  '3drighthanded': RIGHT_HANDED,
  '3d-left-handed': LEFT_HANDED,
  '3d left handed': LEFT_HANDED,
  '3dlefthanded': LEFT_HANDED,
};

/** Domain kinds (nrrdKindIsDomain) by lower-cased name, with their canonical airEnumStr. */
const DOMAIN_KINDS: Record<string, string> = { domain: 'domain', space: 'space', time: 'time' };

/** A plain decimal both musl's sscanf("%lf") and Number() read to the same double. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const UNSIGNED = /^\d+$/;

/** Largest voxel buffer accepted (itk-wasm runs in 32-bit WebAssembly). */
const MAX_BYTES = 2 ** 31 - 1;

function decimal(token: string, what: string): number {
  if (!DECIMAL.test(token)) decline(`${what}: "${token}" is not a plain decimal number`);
  return Number(token);
}

function unsigned(token: string, what: string, max: number): number {
  if (!UNSIGNED.test(token)) decline(`${what}: "${token}" is not an unsigned integer`);
  const v = Number(token);
  if (v > max) decline(`${what}: ${token} is too large`);
  return v;
}

/** Tokens separated by blanks and tabs (airStrtok with " \t"). */
const tokens = (info: string): string[] => info.split(/[ \t]+/).filter((t) => t.length > 0);

/** `count` vectors "(a,b,…)" as _nrrdSpaceVectorParse reads them; what follows them is returned. */
function spaceVectors(info: string, count: number, spaceDim: number, what: string): { vectors: number[][]; rest: string } {
  const vectors: number[][] = [];
  let rest = info;
  for (let k = 0; k < count; k++) {
    rest = rest.replace(/^[ \t]+/, '');
    if (!rest.startsWith('(')) decline(`${what}: vector ${k + 1} does not start with "(" (or is "none")`);
    const close = rest.indexOf(')');
    if (close < 0) decline(`${what}: no ")"`);
    const parts = rest.slice(1, close).split(',');
    if (parts.length !== spaceDim) decline(`${what}: ${parts.length} coefficients, space dimension ${spaceDim}`);
    const v = parts.map((p) => decimal(p.replace(/^[ \t]+|[ \t]+$/g, ''), what));
    if (!v.every(Number.isFinite)) decline(`${what}: infinite coefficient`);
    vectors.push(v);
    rest = rest.slice(close + 1);
  }
  return { vectors, rest };
}

/** airUnescape: "\\\\" → "\\", "\\n" → newline, as NrrdIO does it (quirks included). */
function airUnescape(s: string): string {
  const len = s.length;
  if (len === 0) return s;
  const out: string[] = [];
  let found = false;
  let i = 1;
  for (; i < len; i++) {
    if (s[i - 1] === '\\' && s[i] === '\\') {
      out.push('\\');
      i++;
      found = true;
    } else if (s[i - 1] === '\\' && s[i] === 'n') {
      out.push('\n');
      i++;
      found = true;
    } else {
      out.push(s[i - 1]!);
      found = false;
    }
  }
  if (i === len || !found) out.push(s[len - 1]!);
  return out.join('');
}

interface Header {
  type?: ComponentType;
  dim?: number;
  spaceDim: number;
  space?: SpaceInfo;
  sizes?: number[];
  spacings?: number[];
  thicknesses?: number[];
  directions?: number[][];
  centers?: (string | undefined)[];
  kinds?: (string | undefined)[];
  content?: string;
  oldMin?: number;
  oldMax?: number;
  endian?: 'little' | 'big';
  encoding?: 'raw' | 'gzip';
  lineSkip: number;
  byteSkip: number;
  keyValues: Map<string, string>;
  origin?: number[];
  dataFile?: string;
  /** Offset of the attached data (just after the empty line), when the header ended with one. */
  dataOffset?: number;
}

/** Printable ASCII and tab: what this reader accepts outside comment lines. */
function plainText(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if ((c < 0x20 && c !== 0x09) || c > 0x7e) return false;
  }
  return true;
}

/**
 * One line as airOneLine reads it, from `pos`: up to \n, \r or \r\n. `null` at the end of the
 * file; an unterminated last line is declined (NrrdIO drops or keeps it depending on its buffer).
 */
function nextLine(b: Uint8Array, pos: number, complete: boolean): { start: number; end: number; next: number } | null {
  let i = pos;
  while (i < b.length && b[i] !== 0x0a && b[i] !== 0x0d) i++;
  if (i >= b.length) {
    if (!complete) throw new NeedMore();
    if (i === pos) return null;
    decline('unterminated last header line');
  }
  let next = i + 1;
  if (b[i] === 0x0d) {
    if (next >= b.length && !complete) throw new NeedMore();
    if (next < b.length && b[next] === 0x0a) next++;
  }
  return { start: pos, end: i, next };
}

function requireDim(h: Header, field: string): number {
  if (h.dim === undefined) decline(`${field} before dimension`);
  return h.dim;
}

function parseField(h: Header, field: string, info: string): void {
  switch (field) {
    case 'type': {
      const t = TYPES[info.toLowerCase()];
      if (!t) decline(`type "${info}"`);
      h.type = t;
      return;
    }
    case 'dimension': {
      const d = unsigned(info, field, 16);
      if (d !== 2 && d !== 3) decline(`dimension ${d}`);
      h.dim = d;
      return;
    }
    case 'space': {
      const s = SPACES[info.toLowerCase()];
      if (!s) decline(`space "${info}"`);
      h.space = s;
      h.spaceDim = 3;
      return;
    }
    case 'space dimension': {
      const d = unsigned(info, field, 8);
      if (d !== 2 && d !== 3) decline(`space dimension ${d}`);
      h.spaceDim = d;
      return;
    }
    case 'sizes': {
      const dim = requireDim(h, field);
      const t = tokens(info);
      if (t.length !== dim) decline(`${t.length} sizes for dimension ${dim}`);
      h.sizes = t.map((s) => unsigned(s, field, MAX_BYTES));
      if (h.sizes.some((s) => s === 0)) decline('size 0');
      return;
    }
    case 'spacings': {
      const dim = requireDim(h, field);
      const t = tokens(info);
      if (t.length !== dim) decline(`${t.length} spacings for dimension ${dim}`);
      h.spacings = t.map((s) => decimal(s, field));
      if (!h.spacings.every((s) => Number.isFinite(s) && s !== 0)) decline('spacing 0 or infinite');
      return;
    }
    case 'thicknesses': {
      const dim = requireDim(h, field);
      const t = tokens(info);
      if (t.length !== dim) decline(`${t.length} thicknesses for dimension ${dim}`);
      h.thicknesses = t.map((s) => decimal(s, field));
      if (!h.thicknesses.every((s) => Number.isFinite(s) && s >= 0 && !Object.is(s, -0))) decline('thickness');
      return;
    }
    case 'space directions': {
      const dim = requireDim(h, field);
      if (h.spaceDim === 0) decline('space directions before space');
      const { vectors, rest } = spaceVectors(info, dim, h.spaceDim, field);
      if (!/^[ \t]*$/.test(rest)) decline('space directions: trailing text');
      h.directions = vectors;
      return;
    }
    case 'centers': {
      const dim = requireDim(h, field);
      const t = tokens(info);
      if (t.length !== dim) decline(`${t.length} centers for dimension ${dim}`);
      h.centers = t.map((c) => {
        if (c === '???' || c === 'none') return undefined;
        const l = c.toLowerCase();
        if (l !== 'cell' && l !== 'node') decline(`center "${c}"`);
        return l;
      });
      return;
    }
    case 'kinds': {
      const dim = requireDim(h, field);
      const t = tokens(info);
      if (t.length !== dim) decline(`${t.length} kinds for dimension ${dim}`);
      h.kinds = t.map((k) => {
        if (k === '???') return undefined;
        const kind = DOMAIN_KINDS[k.toLowerCase()];
        if (!kind) decline(`kind "${k}"`);
        return kind;
      });
      return;
    }
    case 'content':
      if (info.length > 0) h.content = info;
      return;
    case 'number':
    case 'min':
    case 'max':
    case 'sample units':
      // NrrdIO ignores these (sample units are kept, but ITK does not use them).
      return;
    case 'old min':
    case 'old max': {
      const v = decimal(info, field);
      if (!Number.isFinite(v) || Object.is(v, -0)) decline(`${field} ${info}`);
      if (field === 'old min') h.oldMin = v;
      else h.oldMax = v;
      return;
    }
    case 'endian': {
      const e = info.toLowerCase();
      if (e !== 'little' && e !== 'big') decline(`endian "${info}"`);
      h.endian = e;
      return;
    }
    case 'encoding': {
      const e = info.toLowerCase();
      if (e === 'raw') h.encoding = 'raw';
      else if (e === 'gz' || e === 'gzip') h.encoding = 'gzip';
      else decline(`encoding "${info}"`);
      return;
    }
    case 'line skip':
      h.lineSkip = unsigned(info, field, 2 ** 32 - 1);
      return;
    case 'byte skip': {
      if (!/^-?\d+$/.test(info)) decline(`byte skip "${info}"`);
      const v = Number(info);
      if (!Number.isSafeInteger(v) || v < -MAX_BYTES || v > MAX_BYTES) decline(`byte skip ${info}`);
      h.byteSkip = v;
      return;
    }
    case 'space units': {
      if (h.spaceDim === 0) decline('space units before space');
      let rest = info;
      for (let k = 0; k < h.spaceDim; k++) {
        const m = /^[ \t]*"([^"\\]*)"/.exec(rest);
        if (!m) decline('space units');
        rest = rest.slice(m[0].length);
      }
      if (!/^[ \t]*$/.test(rest)) decline('space units: trailing text');
      return;
    }
    case 'space origin': {
      if (h.spaceDim === 0) decline('space origin before space');
      const { vectors, rest } = spaceVectors(info, 1, h.spaceDim, field);
      if (!/^[ \t]*$/.test(rest)) decline('space origin: trailing text');
      h.origin = vectors[0];
      return;
    }
    case 'data file': {
      // One file, named relative to the header's directory (a "%d" template or LIST: declined).
      if (info.length === 0 || info.includes('%') || info.startsWith('LIST')) decline(`data file "${info}"`);
      if (info.startsWith('/') || info[1] === ':' || info === '-' || info.includes('\\')) decline(`data file "${info}"`);
      if (info.split('/').some((seg) => seg === '..')) decline(`data file "${info}" outside the header's directory`);
      h.dataFile = info;
      return;
    }
    default:
      decline(`field "${field}"`);
  }
}

/** Parses the header in `b` (the file's first bytes; `complete` when that is the whole file). */
function parseHeader(b: Uint8Array, complete: boolean): Header {
  const start = Buffer.from(b.buffer, b.byteOffset, Math.min(8, b.length)).toString('latin1');
  if (!/^NRRD000[1-5]$/.test(start)) decline(`magic "${start}"`);
  const magic = nextLine(b, 0, complete);
  if (!magic) decline('empty file');
  const m = Buffer.from(b.buffer, b.byteOffset + magic.start, magic.end - magic.start).toString('latin1');
  if (!/^NRRD000[1-5]$/.test(m)) decline(`magic "${m.slice(0, 20)}"`);
  const h: Header = { spaceDim: 0, lineSkip: 0, byteSkip: 0, keyValues: new Map() };
  const seen = new Set<string>();
  let pos = magic.next;
  for (;;) {
    const line = nextLine(b, pos, complete);
    if (!line) break;
    pos = line.next;
    if (line.end === line.start) {
      h.dataOffset = line.next;
      break;
    }
    if (b[line.start] === 0x23) continue; // '#': comment
    if (!plainText(b, line.start, line.end)) decline('non-ASCII or control characters in the header');
    const text = Buffer.from(b.buffer, b.byteOffset + line.start, line.end - line.start).toString('latin1');
    const colon = text.indexOf(': ');
    const field = colon >= 0 ? FIELDS[text.slice(0, colon).toLowerCase()] : undefined;
    if (field === undefined) {
      // NrrdIO looks for ":=" only before the first ": " (it cut the line there to match a field).
      if (!(colon >= 0 ? text.slice(0, colon) : text).includes(':=')) decline(`header line "${text.slice(0, 40)}"`);
      const sep = text.indexOf(':=');
      const key = airUnescape(text.slice(0, sep));
      const value = airUnescape(text.slice(sep + 2));
      // nrrdKeyValueAdd ignores empty keys and replaces the value of a repeated one.
      if (key.length > 0) h.keyValues.set(key, value);
      continue;
    }
    if (seen.has(field)) decline(`field "${field}" twice`);
    if (field === 'space' && seen.has('space dimension')) decline('space after space dimension');
    if (field === 'space dimension' && seen.has('space')) decline('space dimension after space');
    parseField(h, field, text.slice(colon + 2).replace(/^[ \t]+/, ''));
    seen.add(field);
  }
  for (const f of ['type', 'dimension', 'sizes', 'encoding']) if (!seen.has(f)) decline(`no ${f} field`);
  if (h.dataOffset === undefined && h.dataFile === undefined) decline('no empty line after the header, no data file');
  return h;
}

/** Reads `length` bytes at `position` of `fd` into `out` (false when the file is shorter). */
function readFully(fd: number, out: Uint8Array, position: number): boolean {
  let done = 0;
  while (done < out.length) {
    const n = readSync(fd, out, done, Math.min(out.length - done, 1 << 30), position + done);
    if (n <= 0) return false;
    done += n;
  }
  return true;
}

/** Headers are read in growing pieces up to this size; longer ones are declined. */
const MAX_HEADER_BYTES = 1 << 24;

/** The header of the open file: its first bytes, read until the header ends in them. */
function readHeader(fd: number, fileSize: number): Header {
  for (let chunk = 1 << 16; ; chunk *= 4) {
    if (chunk > MAX_HEADER_BYTES && fileSize > MAX_HEADER_BYTES) decline('header longer than 16 MiB');
    const length = Math.min(chunk, fileSize);
    const b = new Uint8Array(length);
    if (!readFully(fd, b, 0)) decline('file shorter than its size');
    try {
      return parseHeader(b, length === fileSize);
    } catch (e) {
      if (!(e instanceof NeedMore)) throw e;
    }
  }
}

function allocate(type: ComponentType, n: number): VoxelArray {
  switch (type) {
    case 'int8':
      return allocateVolumeArray(Int8Array, n);
    case 'uint8':
      return allocateVolumeArray(Uint8Array, n);
    case 'int16':
      return allocateVolumeArray(Int16Array, n);
    case 'uint16':
      return allocateVolumeArray(Uint16Array, n);
    case 'int32':
      return allocateVolumeArray(Int32Array, n);
    case 'uint32':
      return allocateVolumeArray(Uint32Array, n);
    case 'float32':
      return allocateVolumeArray(Float32Array, n);
    case 'float64':
      return allocateVolumeArray(Float64Array, n);
  }
}

/** Position after `count` lines (airOneLine) from `pos` in `b`; each must be terminated. */
function skipLines(b: Uint8Array, pos: number, count: number): number {
  let p = pos;
  for (let k = 0; k < count; k++) {
    let i = p;
    while (i < b.length && b[i] !== 0x0a && b[i] !== 0x0d) i++;
    if (i >= b.length) decline('line skip runs into the end of the file');
    p = i + 1;
    if (b[i] === 0x0d && p < b.length && b[p] === 0x0a) p++;
  }
  return p;
}

/** Fills `bytes` (the voxels as stored) from the data file `fd`, starting at `pos`, as NrrdIO reads it. */
function readVoxels(h: Header, fd: number, fileSize: number, pos: number, bytes: Uint8Array): void {
  let start = pos;
  if (h.lineSkip > 0) {
    if (h.byteSkip < 0) decline('line skip with negative byte skip');
    const whole = new Uint8Array(fileSize);
    if (!readFully(fd, whole, 0)) decline('data file shorter than its size');
    start = skipLines(whole, pos, h.lineSkip);
  }
  if (h.encoding === 'raw') {
    if (h.byteSkip >= 0) start += h.byteSkip;
    else start = fileSize - bytes.length - (-h.byteSkip - 1);
    if (start < 0 || start + bytes.length > fileSize) decline('raw data extends past the end of the file');
    if (!readFully(fd, bytes, start)) decline('short read');
    return;
  }
  // gzip: NrrdIO (gzio.c) reads the members in sequence, skipping byteSkip bytes of the inflated
  // stream, and passes bytes that do not start with the gzip magic through as they are (hence the
  // magic check). node's gunzip inflates the same members and throws on anything else (corrupt
  // data, a bad CRC or length, bytes after the last member): those files are declined.
  if (h.byteSkip < 0) decline('negative byte skip with gzip');
  if (fileSize - start < 2) decline('no gzip data');
  const compressed = new Uint8Array(fileSize - start);
  if (!readFully(fd, compressed, start)) decline('short read');
  if (compressed[0] !== 0x1f || compressed[1] !== 0x8b) decline('gzip data without gzip magic');
  const need = h.byteSkip + bytes.length;
  let inflated: Buffer;
  try {
    inflated = gunzipSync(compressed, { chunkSize: Math.max(64, Math.min(need + 1024, 1 << 30)) });
  } catch (e) {
    decline(`gunzip: ${(e as Error).message}`);
  }
  if (inflated.length < need) decline(`gzip data has ${inflated.length} bytes, ${need} needed`);
  bytes.set(inflated.subarray(h.byteSkip, need));
}

/** ITK's geometry (NrrdImageIO::ReadImageInformation) for the parsed header. */
function geometry(h: Header, dim: number): { spacing: number[]; origin: number[]; direction: Float64Array } {
  const spacing = new Array<number>(dim).fill(1);
  const origin = new Array<number>(dim).fill(0);
  // Columns: axis directions (ImageIOBase's default is the identity).
  const axes: number[][] = Array.from({ length: dim }, (_, i) => Array.from({ length: dim }, (_, j) => (i === j ? 1 : 0)));
  if (h.spaceDim > 0) {
    if (h.spaceDim !== dim) decline(`space dimension ${h.spaceDim} for ${dim} axes`);
    if (h.spacings) decline('spacings with a space');
    const flip = h.space?.flip ?? [1, 1];
    if (h.directions) {
      for (let i = 0; i < dim; i++) {
        const v = h.directions[i]!;
        let nn = 0;
        for (let d = 0; d < dim; d++) nn += v[d]! * v[d]!;
        const s = Math.sqrt(nn);
        if (!(s > 0 && Number.isFinite(s))) decline(`space direction ${i} of length ${s}`);
        const scale = 1.0 / s;
        const dir = v.map((c) => scale * c);
        if (!dir.every(Number.isFinite)) decline('non-finite direction');
        if (dim === 3) {
          dir[0] = dir[0]! * flip[0];
          dir[1] = dir[1]! * flip[1];
        }
        spacing[i] = s;
        axes[i] = dir;
      }
    }
    if (h.origin) {
      for (let d = 0; d < dim; d++) origin[d] = h.origin[d]!;
      if (dim === 3) {
        origin[0] = origin[0]! * flip[0];
        origin[1] = origin[1]! * flip[1];
      }
    }
  } else {
    if (h.spacings) for (let i = 0; i < dim; i++) spacing[i] = h.spacings[i]!;
  }
  // itk-wasm's direction: row-major, element (row j, column i) = component j of axis i.
  const direction = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) direction[j * dim + i] = axes[i]![j]!;
  return { spacing, origin, direction };
}

/** The metadata dictionary NrrdImageIO fills, in itk-wasm's (std::map) key order. */
function metadata(h: Header, dim: number): Map<string, string | number> {
  const m = new Map<string, string | number>();
  m.set('ITK_InputFilterName', 'NrrdImageIO');
  for (const [k, v] of h.keyValues) m.set(k, v);
  for (let i = 0; i < dim; i++) {
    const t = h.thicknesses?.[i];
    if (t !== undefined) m.set(`NRRD_thicknesses[${i}]`, t);
    const c = h.centers?.[i];
    if (c !== undefined) m.set(`NRRD_centerings[${i}]`, c);
    const k = h.kinds?.[i];
    if (k !== undefined) m.set(`NRRD_kinds[${i}]`, k);
  }
  if (h.content !== undefined) m.set('NRRD_content', h.content);
  if (h.oldMin !== undefined) m.set('NRRD_old min', h.oldMin);
  if (h.oldMax !== undefined) m.set('NRRD_old max', h.oldMax);
  if (h.space) m.set('NRRD_space', h.space.name);
  const keys = [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return new Map(keys.map((k) => [k, m.get(k)!]));
}

function swapBytes(data: VoxelArray): void {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data.BYTES_PER_ELEMENT === 2) b.swap16();
  else if (data.BYTES_PER_ELEMENT === 4) b.swap32();
  else if (data.BYTES_PER_ELEMENT === 8) b.swap64();
}

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
    const elementBytes = BYTES[type];
    if (elementBytes > 1 && h.endian === undefined) decline('no endian for a multi-byte type');
    const n = sizes.reduce((a, s) => a * s, 1);
    if (n * elementBytes > MAX_BYTES) decline('volume of 2 GiB or more');
    // ITK's geometry and metadata first: they can still decline.
    const geo = geometry(h, dim);
    const meta = metadata(h, dim);

    let source = fd;
    let sourceSize = fileSize;
    let pos = h.dataOffset ?? 0;
    if (h.dataFile !== undefined) {
      dataFd = openSync(`${dirname(file)}/${h.dataFile}`, 'r');
      const st = fstatSync(dataFd);
      if (!st.isFile()) decline('data file is not a regular file');
      source = dataFd;
      sourceSize = st.size;
      pos = 0;
    }
    const data = allocate(type, n);
    readVoxels(h, source, sourceSize, pos, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
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

// A small DICOM Part-10 encoder for the SEG writer: explicit VR little endian, data sets given as
// lists of elements (sorted by tag here), sequences and items of undefined length, File Meta
// Information from the data set's SOP class/instance. Owns byte layout only (value padding, the
// 2- and 4-byte length forms, text as latin1 bytes so values copied from a source file keep their
// bytes); which elements a SEG has is write-seg.ts's business.
// Own code rather than dcmjs: loading dcmjs 0.52 takes ~1.2 s on this machine (measured with
// `node -e "require('dcmjs')"`), three times the whole per-series budget of a cold run, and its SEG
// derivation needs naturalised source data sets that take longer to build than this file is long.

/** Tag as 0xGGGGEEEE. */
export type Tag = number;

/** A value: text (multi-values joined with `\`), raw bytes, numbers (binary VRs, AT as tags), or items. */
export type Value = string | Uint8Array | readonly number[] | readonly DataSet[];
export type Element = readonly [tag: Tag, vr: string, value: Value];
export type DataSet = readonly Element[];

const LONG_LENGTH = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const NUMBER_SIZE: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, AT: 4 };
const UNDEFINED = 0xffffffff;

class Bytes {
  private chunks: Uint8Array[] = [];
  length = 0;
  push(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function header(tag: Tag, vr: string, length: number): Uint8Array {
  const long = LONG_LENGTH.has(vr);
  const b = new Uint8Array(long ? 12 : 8);
  const v = new DataView(b.buffer);
  v.setUint16(0, tag >>> 16, true);
  v.setUint16(2, tag & 0xffff, true);
  b[4] = vr.charCodeAt(0);
  b[5] = vr.charCodeAt(1);
  if (long) v.setUint32(8, length, true);
  else {
    if (length > 0xffff) throw new Error(`value of (${tag.toString(16)}) too long for ${vr}`);
    v.setUint16(6, length, true);
  }
  return b;
}

function numbers(vr: string, values: readonly number[]): Uint8Array {
  const size = NUMBER_SIZE[vr];
  if (size === undefined) throw new Error(`no binary encoding for VR ${vr}`);
  const b = new Uint8Array(size * values.length);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => {
    const at = i * size;
    if (vr === 'US') v.setUint16(at, x, true);
    else if (vr === 'SS') v.setInt16(at, x, true);
    else if (vr === 'UL') v.setUint32(at, x, true);
    else if (vr === 'SL') v.setInt32(at, x, true);
    else if (vr === 'FL') v.setFloat32(at, x, true);
    else if (vr === 'FD') v.setFloat64(at, x, true);
    else {
      v.setUint16(at, x >>> 16, true);
      v.setUint16(at + 2, x & 0xffff, true);
    }
  });
  return b;
}

/** Text padded to even length: UI with NUL, everything else with a space. */
function text(vr: string, s: string): Uint8Array {
  const raw = Buffer.from(s, 'latin1');
  if (raw.length % 2 === 0) return raw;
  const out = new Uint8Array(raw.length + 1);
  out.set(raw);
  out[raw.length] = vr === 'UI' ? 0 : 0x20;
  return out;
}

function encodeInto(out: Bytes, ds: DataSet): void {
  const sorted = [...ds].sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]![0] === sorted[i - 1]![0])
      throw new Error(`element (${sorted[i]![0].toString(16)}) twice in a data set`);
  }
  for (const [tag, vr, value] of sorted) {
    if (vr === 'SQ') {
      out.push(header(tag, vr, UNDEFINED));
      for (const item of value as readonly DataSet[]) {
        out.push(itemTag(0xe000, UNDEFINED));
        encodeInto(out, item);
        out.push(itemTag(0xe00d, 0));
      }
      out.push(itemTag(0xe0dd, 0));
      continue;
    }
    let bytes: Uint8Array;
    if (typeof value === 'string') bytes = text(vr, value);
    else if (value instanceof Uint8Array) {
      bytes = value;
      if (bytes.length % 2 === 1) {
        bytes = new Uint8Array(value.length + 1);
        bytes.set(value);
      }
    } else bytes = numbers(vr, value as readonly number[]);
    out.push(header(tag, vr, bytes.length));
    out.push(bytes);
  }
}

function itemTag(element: number, length: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint16(0, 0xfffe, true);
  v.setUint16(2, element, true);
  v.setUint32(4, length, true);
  return b;
}

/** Encodes a data set (explicit VR little endian, no File Meta). */
export function encodeDataSet(ds: DataSet): Uint8Array {
  const out = new Bytes();
  encodeInto(out, ds);
  return out.concat();
}

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

/** A Part-10 file: preamble, "DICM", File Meta Information (group length computed), the data set. */
export function encodePart10(
  ds: DataSet,
  meta: {
    sopClassUid: string;
    sopInstanceUid: string;
    implementationClassUid: string;
    implementationVersionName: string;
  },
): Uint8Array {
  const group = encodeDataSet([
    [0x00020001, 'OB', new Uint8Array([0, 1])],
    [0x00020002, 'UI', meta.sopClassUid],
    [0x00020003, 'UI', meta.sopInstanceUid],
    [0x00020010, 'UI', EXPLICIT_VR_LITTLE_ENDIAN],
    [0x00020012, 'UI', meta.implementationClassUid],
    [0x00020013, 'SH', meta.implementationVersionName],
  ]);
  const length = encodeDataSet([[0x00020000, 'UL', [group.length]]]);
  const body = encodeDataSet(ds);
  const file = new Uint8Array(132 + length.length + group.length + body.length);
  file.set([0x44, 0x49, 0x43, 0x4d], 128);
  file.set(length, 132);
  file.set(group, 132 + length.length);
  file.set(body, 132 + length.length + group.length);
  return file;
}

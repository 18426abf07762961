// Slice order as GDCM's SerieHelper::OrderFileList gives it: by IPP projected on the normal of the
// first given file's IOP; when all distances are equal or any two are, by Instance Number (when all
// differ), else by file name (byte order). Declines the orders GDCM does not define. Owns reading
// Instance Number as SerieHelper does.
import type dicomParser from 'dicom-parser';
import { rawString } from './elements.js';
import type { SliceInfo } from './slice-info.js';

const INTEGER = /^ *[+-]?\d+[ \0]*$/;

/**
 * Instance Number as SerieHelper reads it (Attribute<0x0020,0x0013>: `istream >> int32`): 'missing'
 * when absent or empty; 'malformed' for anything but a plain integer in range (or in another VR).
 */
export function readInstanceNumber(ds: dicomParser.DataSet): SliceInfo['instanceNumber'] {
  const el = ds.elements['x00200013'];
  if (!el || el.length === 0) return 'missing';
  if (el.vr !== undefined && el.vr !== 'IS') return 'malformed';
  const raw = rawString(ds, 'x00200013');
  if (raw === undefined || !INTEGER.test(raw)) return 'malformed';
  const v = Number.parseInt(raw.trim(), 10);
  return v >= -(2 ** 31) && v < 2 ** 31 ? v : 'malformed';
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
export function gdcmOrder(slices: SliceInfo[]): number[] | undefined {
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

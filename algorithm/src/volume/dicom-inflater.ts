// dicom-parser's inflater hook for the deflated explicit VR little endian transfer syntax (node:zlib),
// shared by the header scan (dicom-scan.ts) and the native reader's whole-file parse (native-dicom/).
import { inflateRawSync } from 'node:zlib';

/** The bytes up to `position` followed by the raw-inflated rest (what dicom-parser parses on). */
export function inflater(bytes: Uint8Array, position: number): Uint8Array {
  const inflated = inflateRawSync(bytes.subarray(position));
  const full = new Uint8Array(position + inflated.length);
  full.set(bytes.subarray(0, position), 0);
  full.set(inflated, position);
  return full;
}

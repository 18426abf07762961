// Pixel format → output pixel type as GDCM/ITK choose it: Bits Allocated + Pixel Representation;
// with Rescale Slope/Intercept (read for every SOP class, ITK forces it) not 1/0 GDCM's Rescaler
// picks the smallest integer type holding slope·[min,max]+intercept of the Bits Stored range, or
// float64 for non-integer slope/intercept. Owns reading the pixel format and rescale elements.
import type dicomParser from 'dicom-parser';
import { decimals, ushort } from './elements.js';

export type OutputType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float64';
export type OutputArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float64Array;

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

export interface PixelFormat {
  bitsAllocated: 8 | 16 | 32;
  bitsStored: number;
  signed: boolean;
}

export function readPixelFormat(ds: dicomParser.DataSet): PixelFormat | undefined {
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
export function storedType(f: PixelFormat): OutputType {
  if (f.bitsAllocated === 8) return f.signed ? 'int8' : 'uint8';
  if (f.bitsAllocated === 16) return f.signed ? 'int16' : 'uint16';
  return f.signed ? 'int32' : 'uint32';
}

/**
 * ITK's output pixel type: the stored type without rescale, else GDCM's
 * Rescaler::ComputeInterceptSlopePixelType (ComputeBestFit over the Bits Stored range).
 */
export function outputType(f: PixelFormat, intercept: number, slope: number): OutputType | undefined {
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
export function readRescale(ds: dicomParser.DataSet): { intercept: number; slope: number } | undefined {
  const intercept = decimals(ds, 'x00281052', 1);
  const slope = decimals(ds, 'x00281053', 1);
  if (intercept === undefined || slope === undefined) return undefined;
  const s = slope === 'absent' ? 1 : slope[0]!;
  return { intercept: intercept === 'absent' ? 0 : intercept[0]!, slope: s === 0 ? 1 : s };
}

// Encodes a 3-D scalar itk-wasm Image as the gzip NRRD file ITK's NRRDImageIO writes (ITK 5 /
// NrrdIO, `useCompression`): the same header lines in the same order, numbers printed like C's
// "%.17g", then the voxels gzip-compressed at zlib level 2: ITK 5.2's NRRDImageIO compresses at level 2
// (the mask of series/mr-mosaic-b0dwi: ITK 5.2.1's file has 235 593 bytes of gzip, node's zlib gives
// 234 982 at level 2 and 149 613 at the default 6, which also takes five times as long). Done in TypeScript so that
// writing a mask needs no WebAssembly module (compiling itk-wasm's NRRD writer took most of a
// cold run). Images this encoder does not cover (not 3-D, more than one component, 64-bit
// integers, non-finite geometry, a metadata dictionary) return undefined and go through ITK's own writer
// (wasm-pipelines.ts); tests compare both writers' headers and voxels.
import { endianness } from 'node:os';
import { gzipSync } from 'node:zlib';
import type { Image } from 'itk-wasm';

/** The zlib level ITK's NRRDImageIO writes with (its default CompressionLevel). */
export const NRRD_ZLIB_LEVEL = 2;

/** NrrdIO's names for the pixel types (airEnum nrrdType), by itk-wasm component type. */
const NRRD_TYPE: Record<string, string | undefined> = {
  int8: 'signed char',
  uint8: 'unsigned char',
  int16: 'short',
  uint16: 'unsigned short',
  int32: 'int',
  uint32: 'unsigned int',
  float32: 'float',
  float64: 'double',
};

/** A double as C's printf("%.17g") prints it (what NrrdIO uses for spacing and origin). */
export function formatG17(v: number): string {
  if (Object.is(v, -0)) return '-0';
  if (v === 0) return '0';
  return formatNonZero(v);
}

/**
 * The origin as ITK receives it from itk-wasm: through JSON, where −0 becomes 0 (the direction
 * matrix travels as a binary array and keeps its −0, which then prints as "-0").
 */
const formatOrigin = (v: number): string => formatG17(v === 0 ? 0 : v);

function formatNonZero(v: number): string {
  const [, exponent] = v.toExponential(16).split('e') as [string, string];
  const x = Number(exponent);
  if (x < -4 || x >= 17) {
    const [mantissa] = v.toExponential(16).split('e') as [string];
    const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    return `${m}e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  }
  const fixed = v.toFixed(16 - x);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

const vector = (xs: ArrayLike<number>, format = formatG17): string => `(${Array.from(xs, format).join(',')})`;

/** The NRRD header ITK writes for `image`, or undefined when this encoder does not cover it. */
export function nrrdHeader(image: Image): string | undefined {
  const t = image.imageType;
  const type = NRRD_TYPE[t.componentType];
  if (t.dimension !== 3 || t.components !== 1 || !type || !image.data) return undefined;
  // A metadata dictionary becomes "key:=value" lines in ITK's writer; masks have none.
  if (image.metadata && image.metadata.size > 0) return undefined;
  const { size, spacing, origin } = image;
  const d = image.direction as ArrayLike<number>;
  if (size.length !== 3 || spacing.length !== 3 || origin.length !== 3 || d.length !== 9) return undefined;
  // Axis j points along column j of the (row-major) direction matrix, scaled by its spacing.
  const axes = [0, 1, 2].map((j) => [0, 1, 2].map((i) => d[i * 3 + j]! * spacing[j]!));
  if (![...axes.flat(), ...origin].every(Number.isFinite)) return undefined;
  const lines = [
    'NRRD0004',
    '# Complete NRRD file format specification at:',
    '# http://teem.sourceforge.net/nrrd/format.html',
    `type: ${type}`,
    'dimension: 3',
    'space: left-posterior-superior',
    `sizes: ${size.join(' ')}`,
    `space directions: ${axes.map((a) => vector(a)).join(' ')}`,
    'kinds: domain domain domain',
  ];
  if (image.data.BYTES_PER_ELEMENT > 1) lines.push('endian: little');
  lines.push('encoding: gzip', `space origin: ${vector(origin, formatOrigin)}`);
  return `${lines.join('\n')}\n\n`;
}

/** The whole .nrrd file for `image` (header + gzip voxels), or undefined (see {@link nrrdHeader}). */
export function encodeNrrd(image: Image): Buffer | undefined {
  const header = nrrdHeader(image);
  if (header === undefined) return undefined;
  const data = image.data!;
  if (endianness() !== 'LE' && data.BYTES_PER_ELEMENT > 1) return undefined;
  const voxels = gzipSync(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), { level: NRRD_ZLIB_LEVEL });
  return Buffer.concat([Buffer.from(header, 'latin1'), voxels]);
}

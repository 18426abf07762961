// Scalar pixel types the Otsu filter accepts (the itk-wasm component types), their C++ limits and the
// conversion of a double to the pixel type the way `static_cast<TPixel>(double)` does in ITK. Owns
// no image I/O.
import { OtsuError } from '../errors.js';

export type ScalarComponentType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

/** Pixel buffers of the supported component types. */
export type ScalarArray =
  Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** A typed-array class of a supported component type (readers allocate voxels with it). */
export interface ScalarArrayConstructor {
  new (length: number): ScalarArray;
  new (buffer: ArrayBuffer | SharedArrayBuffer): ScalarArray;
  readonly BYTES_PER_ELEMENT: number;
}

/** The array class itk-wasm uses for each component type. */
export const SCALAR_ARRAYS: Record<ScalarComponentType, ScalarArrayConstructor> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
};

const FLT_MAX = 3.4028234663852886e38;

interface Limits {
  /** `NumericTraits<T>::max()`. */
  max: number;
  /** `NumericTraits<T>::NonpositiveMin()` (the lowest finite value). */
  lowest: number;
  integer: boolean;
}

export const LIMITS: Record<ScalarComponentType, Limits> = {
  int8: { max: 127, lowest: -128, integer: true },
  uint8: { max: 255, lowest: 0, integer: true },
  int16: { max: 32767, lowest: -32768, integer: true },
  uint16: { max: 65535, lowest: 0, integer: true },
  int32: { max: 2147483647, lowest: -2147483648, integer: true },
  uint32: { max: 4294967295, lowest: 0, integer: true },
  float32: { max: FLT_MAX, lowest: -FLT_MAX, integer: false },
  float64: { max: Number.MAX_VALUE, lowest: -Number.MAX_VALUE, integer: false },
};

export function isScalarComponentType(t: string): t is ScalarComponentType {
  return Object.hasOwn(LIMITS, t);
}

/** The component type of a typed array (itk-wasm's naming). */
export function componentTypeOf(data: ArrayBufferView): ScalarComponentType {
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  throw new OtsuError(
    `unsupported pixel buffer ${data.constructor.name}: Otsu takes 8/16/32-bit integer or float pixels`,
  );
}

/** `static_cast<TPixel>(value)` for an in-range double: truncation toward zero, or float rounding. */
export function castToPixel(value: number, type: ScalarComponentType): number {
  if (type === 'float64') return value;
  if (type === 'float32') return Math.fround(value);
  return Math.trunc(value);
}

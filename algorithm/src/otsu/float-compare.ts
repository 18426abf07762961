// ITK's floating-point comparisons (itk::Math::FloatAlmostEqual / AlmostEquals for doubles), ported
// bit for bit: an absolute tolerance first, then the distance in units in the last place (ULPs)
// between the IEEE-754 bit patterns. Used by the histogram (last-bin edge) and the Otsu search (ties).
// Owns nothing else.

const f64 = new Float64Array(2);
const i64 = new BigInt64Array(f64.buffer);

/** Machine epsilon of double, `itk::NumericTraits<double>::epsilon()`. */
export const DOUBLE_EPSILON = 2 ** -52;

/** ITK's `FloatIEEE<double>::AsULP()`: sign-magnitude bits mapped onto a monotone integer line. */
function asUlp(slot: 0 | 1): bigint {
  const bits = i64[slot]!;
  // Sign bit set: IntType(~(~UIntType(0) >> 1) - asUInt) == 0x8000000000000000 - asUInt, as int64.
  return bits < 0n ? BigInt.asIntN(64, 0x8000000000000000n - BigInt.asUintN(64, bits)) : bits;
}

/**
 * `itk::Math::FloatAlmostEqual<double>(x1, x2, maxUlps, maxAbsoluteDifference)` with ITK's defaults
 * (4 ULPs, 0.1 × epsilon).
 */
export function floatAlmostEqual(
  x1: number,
  x2: number,
  maxUlps = 4,
  maxAbsoluteDifference = 0.1 * DOUBLE_EPSILON,
): boolean {
  if (Math.abs(x1 - x2) <= maxAbsoluteDifference) return true;
  f64[0] = x1;
  f64[1] = x2;
  const sign1 = i64[0]! < 0n;
  const sign2 = i64[1]! < 0n;
  if (sign1 !== sign2) return false;
  let ulps = asUlp(0) - asUlp(1);
  // int64 subtraction wraps in C++; both operands share a sign here, so no wrap occurs.
  if (ulps < 0n) ulps = -ulps;
  return ulps <= BigInt(maxUlps);
}

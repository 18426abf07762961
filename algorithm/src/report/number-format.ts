// How the report prints numbers: up to six significant digits, no trailing zeros, thousands kept
// unseparated (so the same text works in the 5×7 PNG font and in HTML). Owns formatting only.

export function formatNumber(v: number | null, digits = 6): string {
  if (v === null) return 'n/a';
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e15)) return v.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(digits)));
}

// Field values as NrrdIO parses them, limited to what Number() reads alike: plain decimal numbers,
// unsigned integers, blank-separated tokens and "(a,b,…)" space vectors; anything else declines.
// Also the largest voxel buffer (and byte skip) this reader accepts.
import { decline } from './decline.js';

/** A plain decimal both musl's sscanf("%lf") and Number() read to the same double. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const UNSIGNED = /^\d+$/;

/** Largest voxel buffer accepted (itk-wasm runs in 32-bit WebAssembly). */
export const MAX_BYTES = 2 ** 31 - 1;

export function decimal(token: string, what: string): number {
  if (!DECIMAL.test(token)) decline(`${what}: "${token}" is not a plain decimal number`);
  return Number(token);
}

export function unsigned(token: string, what: string, max: number): number {
  if (!UNSIGNED.test(token)) decline(`${what}: "${token}" is not an unsigned integer`);
  const v = Number(token);
  if (v > max) decline(`${what}: ${token} is too large`);
  return v;
}

/** Tokens separated by blanks and tabs (airStrtok with " \t"). */
export const tokens = (info: string): string[] => info.split(/[ \t]+/).filter((t) => t.length > 0);

/** `count` vectors "(a,b,…)" as _nrrdSpaceVectorParse reads them; what follows them is returned. */
export function spaceVectors(
  info: string,
  count: number,
  spaceDim: number,
  what: string,
): { vectors: number[][]; rest: string } {
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

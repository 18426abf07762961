// Element values of a parsed DICOM header (dicom-parser data set) read the way GDCM reads them:
// raw strings, UIDs, DS numbers (`istream >> double`) and one-value US. Owns nothing beyond that:
// what the values mean is for header.ts, pixel-type.ts and geometry.ts.
import type dicomParser from 'dicom-parser';

/** The value bytes of a top-level element as a latin1 string; undefined when absent. */
export function rawString(ds: dicomParser.DataSet, tag: string): string | undefined {
  const el = ds.elements[tag];
  if (!el) return undefined;
  if (el.length === 0) return '';
  if (el.dataOffset + el.length > ds.byteArray.length || el.length < 0) return undefined;
  return Buffer.from(ds.byteArray.buffer, ds.byteArray.byteOffset + el.dataOffset, el.length).toString('latin1');
}

/** UI value without the trailing NUL/space padding. */
export function uid(ds: dicomParser.DataSet, tag: string): string | undefined {
  return rawString(ds, tag)?.replace(/[\0 ]+$/, '');
}

const DS_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Values of a DS element as GDCM's `istream >> double` reads them (correctly rounded, like Number):
 * only plain decimal numbers are accepted, anything else declines (undefined). '' → [].
 */
export function decimalStrings(raw: string): number[] | undefined {
  const text = raw.replace(/[\0 ]+$/, '');
  if (text.trim() === '') return [];
  const values: number[] = [];
  for (const part of text.split('\\')) {
    const p = part.trim();
    if (!DS_NUMBER.test(p)) return undefined;
    const v = Number(p);
    if (!Number.isFinite(v)) return undefined;
    values.push(v);
  }
  return values;
}

/** A DS element with exactly `count` values; 'absent' when missing or empty; undefined when malformed. */
export function decimals(ds: dicomParser.DataSet, tag: string, count: number): number[] | 'absent' | undefined {
  const raw = rawString(ds, tag);
  if (raw === undefined) return 'absent';
  const values = decimalStrings(raw);
  if (values === undefined) return undefined;
  if (values.length === 0) return 'absent';
  return values.length === count ? values : undefined;
}

/** US value of a one-value element (exactly 2 bytes); undefined when absent or malformed. */
export function ushort(ds: dicomParser.DataSet, tag: string): number | undefined {
  const el = ds.elements[tag];
  if (!el || el.length !== 2) return undefined;
  return ds.uint16(tag);
}

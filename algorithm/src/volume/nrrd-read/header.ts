// The NRRD header as NrrdIO reads it: the magic line, lines as airOneLine splits them, field names
// and "key:=value" pairs, comments, each field once and "space" / "space dimension" exclusive, the
// end of the header (an empty line, or the end of the file); read in growing pieces of the file.
// Each field's value is parsed by fields.ts.
import { decline } from './decline.js';
import { FIELDS } from './enums.js';
import { parseField } from './fields.js';
import type { Header } from './fields.js';
import { readFully } from '../read-fully.js';

/** The header did not end within the bytes read so far. */
class NeedMore extends Error {}

/** airUnescape: "\\\\" → "\\", "\\n" → newline, as NrrdIO does it (quirks included). */
function airUnescape(s: string): string {
  const len = s.length;
  if (len === 0) return s;
  const out: string[] = [];
  let found = false;
  let i = 1;
  for (; i < len; i++) {
    if (s[i - 1] === '\\' && s[i] === '\\') {
      out.push('\\');
      i++;
      found = true;
    } else if (s[i - 1] === '\\' && s[i] === 'n') {
      out.push('\n');
      i++;
      found = true;
    } else {
      out.push(s[i - 1]!);
      found = false;
    }
  }
  if (i === len || !found) out.push(s[len - 1]!);
  return out.join('');
}

/** Printable ASCII and tab: what this reader accepts outside comment lines. */
function plainText(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if ((c < 0x20 && c !== 0x09) || c > 0x7e) return false;
  }
  return true;
}

/**
 * One line as airOneLine reads it, from `pos`: up to \n, \r or \r\n. `null` at the end of the
 * file; an unterminated last line is declined (NrrdIO drops or keeps it depending on its buffer).
 */
function nextLine(b: Uint8Array, pos: number, complete: boolean): { start: number; end: number; next: number } | null {
  let i = pos;
  while (i < b.length && b[i] !== 0x0a && b[i] !== 0x0d) i++;
  if (i >= b.length) {
    if (!complete) throw new NeedMore();
    if (i === pos) return null;
    decline('unterminated last header line');
  }
  let next = i + 1;
  if (b[i] === 0x0d) {
    if (next >= b.length && !complete) throw new NeedMore();
    if (next < b.length && b[next] === 0x0a) next++;
  }
  return { start: pos, end: i, next };
}

/**
 * Parses the header in `b` (the file's first bytes; `complete` when that is the whole file):
 * magic line NRRD0001–NRRD0005, lines ended by \n, \r or \r\n, "field: value" (field names
 * case-insensitive, value after the ": " and any blanks), "key:=value" (\n and \\ escapes), "#"
 * comments; each field once; an empty line ends it (attached data follows), or end of file when a
 * "data file" is given (relative to the header's directory).
 */
function parseHeader(b: Uint8Array, complete: boolean): Header {
  const start = Buffer.from(b.buffer, b.byteOffset, Math.min(8, b.length)).toString('latin1');
  if (!/^NRRD000[1-5]$/.test(start)) decline(`magic "${start}"`);
  const magic = nextLine(b, 0, complete);
  if (!magic) decline('empty file');
  const m = Buffer.from(b.buffer, b.byteOffset + magic.start, magic.end - magic.start).toString('latin1');
  if (!/^NRRD000[1-5]$/.test(m)) decline(`magic "${m.slice(0, 20)}"`);
  const h: Header = { spaceDim: 0, lineSkip: 0, byteSkip: 0, keyValues: new Map() };
  const seen = new Set<string>();
  let pos = magic.next;
  for (;;) {
    const line = nextLine(b, pos, complete);
    if (!line) break;
    pos = line.next;
    if (line.end === line.start) {
      h.dataOffset = line.next;
      break;
    }
    if (b[line.start] === 0x23) continue; // '#': comment
    if (!plainText(b, line.start, line.end)) decline('non-ASCII or control characters in the header');
    const text = Buffer.from(b.buffer, b.byteOffset + line.start, line.end - line.start).toString('latin1');
    const colon = text.indexOf(': ');
    const field = colon >= 0 ? FIELDS[text.slice(0, colon).toLowerCase()] : undefined;
    if (field === undefined) {
      // NrrdIO looks for ":=" only before the first ": " (it cut the line there to match a field).
      if (!(colon >= 0 ? text.slice(0, colon) : text).includes(':=')) decline(`header line "${text.slice(0, 40)}"`);
      const sep = text.indexOf(':=');
      const key = airUnescape(text.slice(0, sep));
      const value = airUnescape(text.slice(sep + 2));
      // nrrdKeyValueAdd ignores empty keys and replaces the value of a repeated one.
      if (key.length > 0) h.keyValues.set(key, value);
      continue;
    }
    if (seen.has(field)) decline(`field "${field}" twice`);
    if (field === 'space' && seen.has('space dimension')) decline('space after space dimension');
    if (field === 'space dimension' && seen.has('space')) decline('space dimension after space');
    parseField(h, field, text.slice(colon + 2).replace(/^[ \t]+/, ''));
    seen.add(field);
  }
  for (const f of ['type', 'dimension', 'sizes', 'encoding']) if (!seen.has(f)) decline(`no ${f} field`);
  if (h.dataOffset === undefined && h.dataFile === undefined) decline('no empty line after the header, no data file');
  return h;
}

/** Headers are read in growing pieces up to this size; longer ones are declined. */
const MAX_HEADER_BYTES = 1 << 24;

/** The header of the open file: its first bytes, read until the header ends in them. */
export function readHeader(fd: number, fileSize: number): Header {
  for (let chunk = 1 << 16; ; chunk *= 4) {
    if (chunk > MAX_HEADER_BYTES && fileSize > MAX_HEADER_BYTES) decline('header longer than 16 MiB');
    const length = Math.min(chunk, fileSize);
    const b = new Uint8Array(length);
    if (!readFully(fd, b, 0)) decline('file shorter than its size');
    try {
      return parseHeader(b, length === fileSize);
    } catch (e) {
      if (!(e instanceof NeedMore)) throw e;
    }
  }
}

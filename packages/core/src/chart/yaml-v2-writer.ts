// Writes YAML byte-for-byte the way helm's `sigs.k8s.io/yaml.Marshal` does (JSON value → go-yaml v2
// emitter): keys sorted with go-yaml's natural key order, block style with 2-space indent, sequences
// in mappings not indented, strings quoted when YAML 1.1 would read them as something else, plain and
// quoted scalars folded at the first space past column 80, `|`-literals for multi-line strings.
// It covers JSON-like values only (maps with string keys, arrays, strings, numbers, booleans, null);
// it is not a general YAML library — parsing is done with `yaml`.

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const BEST_WIDTH = 80;
const BEST_INDENT = 2;

// ---- YAML 1.1 resolution (go-yaml v2 resolve.go) -------------------------------------------------

const RESOLVE_MAP = new Set([
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'true',
  'True',
  'TRUE',
  'on',
  'On',
  'ON',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'false',
  'False',
  'FALSE',
  'off',
  'Off',
  'OFF',
  '',
  '~',
  'null',
  'Null',
  'NULL',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
  '<<',
]);
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]*|0[bB][01]+|[1-9][0-9]*)$/;
const GO_FLOAT = /^[-+]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?|inf|infinity|nan)$/i;

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function looksLikeTimestamp(s: string): boolean {
  if (!/^[0-9]{4}-/.test(s)) return false;
  const date = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})/.exec(s);
  if (!date) return false;
  const y = Number(date[1]);
  const mo = Number(date[2]);
  const d = Number(date[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return false;
  const rest = s.slice(date[0].length);
  if (rest === '') return true;
  const time = /^([Tt ])([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$/.exec(rest);
  if (!time) return false;
  if (time[1] !== ' ' && time[6] === undefined) return false;
  if (time[1] === ' ' && time[6] !== undefined) return false;
  return Number(time[2]) < 24 && Number(time[3]) < 60 && Number(time[4]) < 60;
}

/** True when go-yaml v2 would read the plain scalar `s` as something other than a string. */
export function resolvesToNonString(s: string): boolean {
  if (RESOLVE_MAP.has(s)) return true;
  const c = s[0];
  if (c === '.') return GO_FLOAT.test(s);
  if (c === '+' || c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
    if (looksLikeTimestamp(s)) return true;
    const plain = s.replaceAll('_', '');
    if (GO_INT.test(plain)) return true;
    if (YAML_STYLE_FLOAT.test(plain)) return true;
    if (/^-?0[bB][01]+$/.test(plain)) return true;
  }
  return false;
}

// ---- character classes (yamlprivateh.go), on code points ----------------------------------------

const isBreak = (c: number | undefined) => c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
const isSpace = (c: number | undefined) => c === 0x20;
const isBlank = (c: number | undefined) => c === 0x20 || c === 0x09;
const isBlankz = (c: number | undefined) => c === undefined || c === 0 || isBlank(c) || isBreak(c);
const isPrintable = (c: number) =>
  c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);

interface ScalarAnalysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

/** What yaml_emitter_analyze_scalar notes while it scans a scalar (the styles are decided from it). */
interface ScalarFlags {
  blockIndicators: boolean;
  lineBreaks: boolean;
  special: boolean;
  leadingSpace: boolean;
  leadingBreak: boolean;
  trailingSpace: boolean;
  trailingBreak: boolean;
  breakSpace: boolean;
  spaceBreak: boolean;
}

/** go-yaml v2 `yaml_emitter_analyze_scalar`: which styles can write these code points. */
function analyzeScalar(cps: number[]): ScalarAnalysis {
  if (cps.length === 0)
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  const f = scanScalar(cps);
  const r: ScalarAnalysis = {
    multiline: f.lineBreaks,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    blockAllowed: true,
  };
  if (f.leadingSpace || f.leadingBreak || f.trailingSpace || f.trailingBreak) r.blockPlainAllowed = false;
  if (f.trailingSpace) r.blockAllowed = false;
  if (f.breakSpace) {
    r.blockPlainAllowed = false;
    r.singleQuotedAllowed = false;
  }
  if (f.spaceBreak || f.special) {
    r.blockPlainAllowed = false;
    r.singleQuotedAllowed = false;
    r.blockAllowed = false;
  }
  if (f.lineBreaks) r.blockPlainAllowed = false;
  if (f.blockIndicators) r.blockPlainAllowed = false;
  return r;
}

/** `---` or `...` at the start: read as a document marker, so never plain. */
function startsWithDocumentMarker(cps: number[]): boolean {
  const at = (i: number) => String.fromCodePoint(cps[i] ?? 0);
  return (
    cps.length >= 3 &&
    ((at(0) === '-' && at(1) === '-' && at(2) === '-') || (at(0) === '.' && at(1) === '.' && at(2) === '.'))
  );
}

/** The scan of a non-empty scalar: indicators, breaks, spaces and where (locals in the loop: it is hot). */
function scanScalar(cps: number[]): ScalarFlags {
  let blockIndicators = startsWithDocumentMarker(cps);
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  const at = (i: number) => String.fromCodePoint(cps[i] ?? 0);
  let precededByWhitespace = true;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i] as number;
    const ch = at(i);
    const followedByWhitespace = i + 1 >= cps.length || isBlank(cps[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      else if ((ch === '?' || ch === ':' || ch === '-') && followedByWhitespace) blockIndicators = true;
    } else if (ch === ':' && followedByWhitespace) blockIndicators = true;
    else if (ch === '#' && precededByWhitespace) blockIndicators = true;
    if (!isPrintable(c)) special = true;
    if (isSpace(c)) {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(c);
  }
  return {
    blockIndicators,
    lineBreaks,
    special,
    leadingSpace,
    leadingBreak,
    trailingSpace,
    trailingBreak,
    breakSpace,
    spaceBreak,
  };
}

type Style = 'plain' | 'single' | 'double' | 'literal';

// ---- the emitter ----------------------------------------------------------------------------------

class Emitter {
  out = '';
  column = 0;
  whitespace = true;
  indention = true;
  indent = 0;

  put(s: string): void {
    this.out += s;
    this.column += [...s].length;
  }
  putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }
  writeIndent(): void {
    const indent = Math.max(0, this.indent);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }
  indicator(s: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(s);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  scalar(text: string, styleHint: Style, simpleKey: boolean): void {
    const cps = [...text].map((c) => c.codePointAt(0) as number);
    const a = analyzeScalar(cps);
    let style = styleHint;
    if (simpleKey && a.multiline) style = 'double';
    if (style === 'plain') {
      if (!a.blockPlainAllowed) style = 'single';
      if (cps.length === 0 && simpleKey) style = 'single';
    }
    if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
    if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
    const saved = this.indent;
    this.indent = this.indent + BEST_INDENT;
    const allowBreaks = !simpleKey;
    if (style === 'plain') this.plain(cps, allowBreaks);
    else if (style === 'single') this.single(cps, allowBreaks);
    else if (style === 'double') this.double(cps, allowBreaks);
    else this.literal(cps);
    this.indent = saved;
  }

  private plain(cps: number[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i] as number;
      if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && !isSpace(cps[i + 1])) this.writeIndent();
        else this.put(' ');
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.putBreak();
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(String.fromCodePoint(c));
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private single(cps: number[], allowBreaks: boolean): void {
    this.indicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i] as number;
      if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < cps.length - 1 && !isSpace(cps[i + 1])) {
          this.writeIndent();
        } else this.put(' ');
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.putBreak();
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === 0x27) this.put("'");
        this.put(String.fromCodePoint(c));
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.indicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private double(cps: number[], allowBreaks: boolean): void {
    const startsWithBom = cps[0] === 0xfeff;
    this.indicator('"', true, false, false);
    let spaces = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i] as number;
      if (!isPrintable(c) || startsWithBom || isBreak(c) || c === 0x22 || c === 0x5c) {
        const named: Record<number, string> = {
          0x00: '0',
          0x07: 'a',
          0x08: 'b',
          0x09: 't',
          0x0a: 'n',
          0x0b: 'v',
          0x0c: 'f',
          0x0d: 'r',
          0x1b: 'e',
          0x22: '"',
          0x5c: '\\',
          0x85: 'N',
          0xa0: '_',
          0x2028: 'L',
          0x2029: 'P',
        };
        const n = named[c];
        if (n !== undefined) this.put(`\\${n}`);
        else if (c <= 0xff) this.put(`\\x${c.toString(16).toUpperCase().padStart(2, '0')}`);
        else if (c <= 0xffff) this.put(`\\u${c.toString(16).toUpperCase().padStart(4, '0')}`);
        else this.put(`\\U${c.toString(16).toUpperCase().padStart(8, '0')}`);
        spaces = false;
      } else if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < cps.length - 1) {
          this.writeIndent();
          if (isSpace(cps[i + 1])) this.put('\\');
        } else this.put(' ');
        spaces = true;
      } else {
        this.put(String.fromCodePoint(c));
        spaces = false;
      }
    }
    this.indicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private literal(cps: number[]): void {
    this.indicator('|', true, false, false);
    if (isSpace(cps[0]) || isBreak(cps[0])) this.indicator(String(BEST_INDENT), false, false, false);
    let chomp = '';
    if (cps.length === 0) chomp = '-';
    else if (!isBreak(cps[cps.length - 1])) chomp = '-';
    else if (cps.length === 1) chomp = '+';
    else if (isBreak(cps[cps.length - 2])) chomp = '+';
    if (chomp) this.indicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of cps) {
      if (isBreak(c)) {
        this.putBreak();
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(String.fromCodePoint(c));
        this.indention = false;
        breaks = false;
      }
    }
  }
}

// ---- key order (go-yaml v2 sorter.go) -------------------------------------------------------------

const isLetter = (ch: string) => /\p{L}/u.test(ch);
const isDigit = (ch: string | undefined) => ch !== undefined && /\p{Nd}/u.test(ch);

/** go-yaml v2's `keyList.Less` for string keys: letters by code point, digit runs numerically. */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as string;
    const bc = br[i] as string;
    if (ac === bc) continue;
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return (ac.codePointAt(0) as number) < (bc.codePointAt(0) as number);
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (ac.codePointAt(0) as number) < (bc.codePointAt(0) as number);
  }
  return ar.length < br.length;
}

function sortedKeys(o: Record<string, Json>): string[] {
  return Object.keys(o).sort((x, y) => (goYamlKeyLess(x, y) ? -1 : goYamlKeyLess(y, x) ? 1 : 0));
}

function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return String(n);
  if (Number.isNaN(n)) return '.nan';
  if (!Number.isFinite(n)) return n > 0 ? '+.inf' : '-.inf';
  const s = String(n);
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function isEmptyCollection(v: Json): boolean {
  return (
    (Array.isArray(v) && v.length === 0) ||
    (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0)
  );
}

function emitValue(e: Emitter, v: Json, inMapping: boolean, simpleKey = false): void {
  if (v === null) return e.scalar('null', 'plain', simpleKey);
  if (typeof v === 'boolean') return e.scalar(v ? 'true' : 'false', 'plain', simpleKey);
  if (typeof v === 'number') return e.scalar(formatNumber(v), 'plain', simpleKey);
  if (typeof v === 'string') {
    const canPlain = !resolvesToNonString(v) && !BASE60_FLOAT.test(v);
    const style: Style = v.includes('\n') ? 'literal' : canPlain ? 'plain' : 'double';
    return e.scalar(v, style, simpleKey);
  }
  if (isEmptyCollection(v)) {
    e.indicator(Array.isArray(v) ? '[]' : '{}', true, false, false);
    return;
  }
  const saved = e.indent;
  if (Array.isArray(v)) {
    // A sequence directly under a mapping key is "indentless".
    if (!inMapping || e.indention) e.indent = saved + BEST_INDENT;
    if (saved < 0) e.indent = 0;
    for (const item of v) {
      e.writeIndent();
      e.indicator('-', true, false, true);
      emitValue(e, item, false);
    }
  } else {
    e.indent = saved < 0 ? 0 : saved + BEST_INDENT;
    for (const k of sortedKeys(v)) {
      e.writeIndent();
      emitValue(e, k, false, true);
      e.indicator(':', false, false, false);
      emitValue(e, v[k] as Json, true);
    }
  }
  e.indent = saved;
}

/** Serialise a JSON-like value as sigs.k8s.io/yaml (go-yaml v2) would; always ends with a newline. */
export function marshalGoYaml(value: unknown): string {
  const e = new Emitter();
  e.indent = -1;
  emitValue(e, toJson(value), false);
  // Document end: the emitter moves to a fresh line (no extra one after a block literal).
  e.indent = -1;
  e.writeIndent();
  return e.out;
}

/** Drop undefined members as JSON would. */
function toJson(v: unknown): Json {
  if (v === undefined) return null;
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map((x) => toJson(x));
  if (Buffer.isBuffer(v)) return v.toString('base64');
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) out[k] = toJson(x);
  return out;
}

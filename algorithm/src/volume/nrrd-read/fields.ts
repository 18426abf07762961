// The parsed NRRD header (Header) and parseField, which reads the value of one field into it as
// NrrdIO does: the values whose ITK result this reader does not reproduce, and those NrrdIO
// refuses, decline. Which fields may come in which order is header.ts's.
import { decline } from './decline.js';
import { DOMAIN_KINDS, SPACES, TYPES } from './enums.js';
import type { ComponentType, SpaceInfo } from './enums.js';
import { MAX_BYTES, decimal, spaceVectors, tokens, unsigned } from './values.js';

export interface Header {
  type?: ComponentType;
  dim?: number;
  spaceDim: number;
  space?: SpaceInfo;
  sizes?: number[];
  spacings?: number[];
  thicknesses?: number[];
  directions?: number[][];
  centers?: (string | undefined)[];
  kinds?: (string | undefined)[];
  content?: string;
  oldMin?: number;
  oldMax?: number;
  endian?: 'little' | 'big';
  encoding?: 'raw' | 'gzip';
  lineSkip: number;
  byteSkip: number;
  keyValues: Map<string, string>;
  origin?: number[];
  dataFile?: string;
  /** Offset of the attached data (just after the empty line), when the header ended with one. */
  dataOffset?: number;
}

function requireDim(h: Header, field: string): number {
  if (h.dim === undefined) decline(`${field} before dimension`);
  return h.dim;
}

/** The tokens of a per-axis field: one for each axis ("dimension" must come first). */
function perAxis(h: Header, field: string, info: string): string[] {
  const dim = requireDim(h, field);
  const t = tokens(info);
  if (t.length !== dim) decline(`${t.length} ${field} for dimension ${dim}`);
  return t;
}

/** Type, dimension and the per-axis fields (sizes, spacings, thicknesses, centers, kinds); false: not one of them. */
function parseAxisField(h: Header, field: string, info: string): boolean {
  switch (field) {
    case 'type': {
      const t = TYPES[info.toLowerCase()];
      if (!t) decline(`type "${info}"`);
      h.type = t;
      return true;
    }
    case 'dimension': {
      const d = unsigned(info, field, 16);
      if (d !== 2 && d !== 3) decline(`dimension ${d}`);
      h.dim = d;
      return true;
    }
    case 'sizes': {
      h.sizes = perAxis(h, field, info).map((s) => unsigned(s, field, MAX_BYTES));
      if (h.sizes.some((s) => s === 0)) decline('size 0');
      return true;
    }
    case 'spacings': {
      h.spacings = perAxis(h, field, info).map((s) => decimal(s, field));
      if (!h.spacings.every((s) => Number.isFinite(s) && s !== 0)) decline('spacing 0 or infinite');
      return true;
    }
    case 'thicknesses': {
      h.thicknesses = perAxis(h, field, info).map((s) => decimal(s, field));
      if (!h.thicknesses.every((s) => Number.isFinite(s) && s >= 0 && !Object.is(s, -0))) decline('thickness');
      return true;
    }
    case 'centers': {
      h.centers = perAxis(h, field, info).map((c) => {
        if (c === '???' || c === 'none') return undefined;
        const l = c.toLowerCase();
        if (l !== 'cell' && l !== 'node') decline(`center "${c}"`);
        return l;
      });
      return true;
    }
    case 'kinds': {
      h.kinds = perAxis(h, field, info).map((k) => {
        if (k === '???') return undefined;
        const kind = DOMAIN_KINDS[k.toLowerCase()];
        if (!kind) decline(`kind "${k}"`);
        return kind;
      });
      return true;
    }
    default:
      return false;
  }
}

/** The space fields (space, its dimension, directions, units, origin); false: not one of them. */
function parseSpaceField(h: Header, field: string, info: string): boolean {
  switch (field) {
    case 'space': {
      const s = SPACES[info.toLowerCase()];
      if (!s) decline(`space "${info}"`);
      h.space = s;
      h.spaceDim = 3;
      return true;
    }
    case 'space dimension': {
      const d = unsigned(info, field, 8);
      if (d !== 2 && d !== 3) decline(`space dimension ${d}`);
      h.spaceDim = d;
      return true;
    }
    case 'space directions': {
      const dim = requireDim(h, field);
      if (h.spaceDim === 0) decline('space directions before space');
      const { vectors, rest } = spaceVectors(info, dim, h.spaceDim, field);
      if (!/^[ \t]*$/.test(rest)) decline('space directions: trailing text');
      h.directions = vectors;
      return true;
    }
    case 'space units': {
      if (h.spaceDim === 0) decline('space units before space');
      let rest = info;
      for (let k = 0; k < h.spaceDim; k++) {
        const m = /^[ \t]*"([^"\\]*)"/.exec(rest);
        if (!m) decline('space units');
        rest = rest.slice(m[0].length);
      }
      if (!/^[ \t]*$/.test(rest)) decline('space units: trailing text');
      return true;
    }
    case 'space origin': {
      if (h.spaceDim === 0) decline('space origin before space');
      const { vectors, rest } = spaceVectors(info, 1, h.spaceDim, field);
      if (!/^[ \t]*$/.test(rest)) decline('space origin: trailing text');
      h.origin = vectors[0];
      return true;
    }
    default:
      return false;
  }
}

/** Encoding, data file and the remaining known fields; false: not one of them. */
function parseOtherField(h: Header, field: string, info: string): boolean {
  switch (field) {
    case 'content':
      if (info.length > 0) h.content = info;
      return true;
    case 'number':
    case 'min':
    case 'max':
    case 'sample units':
      // NrrdIO ignores these (sample units are kept, but ITK does not use them).
      return true;
    case 'old min':
    case 'old max': {
      const v = decimal(info, field);
      if (!Number.isFinite(v) || Object.is(v, -0)) decline(`${field} ${info}`);
      if (field === 'old min') h.oldMin = v;
      else h.oldMax = v;
      return true;
    }
    case 'endian': {
      const e = info.toLowerCase();
      if (e !== 'little' && e !== 'big') decline(`endian "${info}"`);
      h.endian = e;
      return true;
    }
    case 'encoding': {
      const e = info.toLowerCase();
      if (e === 'raw') h.encoding = 'raw';
      else if (e === 'gz' || e === 'gzip') h.encoding = 'gzip';
      else decline(`encoding "${info}"`);
      return true;
    }
    case 'line skip':
      h.lineSkip = unsigned(info, field, 2 ** 32 - 1);
      return true;
    case 'byte skip': {
      if (!/^-?\d+$/.test(info)) decline(`byte skip "${info}"`);
      const v = Number(info);
      if (!Number.isSafeInteger(v) || v < -MAX_BYTES || v > MAX_BYTES) decline(`byte skip ${info}`);
      h.byteSkip = v;
      return true;
    }
    case 'data file': {
      // One file, named relative to the header's directory (a "%d" template or LIST: declined).
      if (info.length === 0 || info.includes('%') || info.startsWith('LIST')) decline(`data file "${info}"`);
      if (info.startsWith('/') || info[1] === ':' || info === '-' || info.includes('\\'))
        decline(`data file "${info}"`);
      if (info.split('/').some((seg) => seg === '..')) decline(`data file "${info}" outside the header's directory`);
      h.dataFile = info;
      return true;
    }
    default:
      return false;
  }
}

/** Reads `info` (the value after ": " and any blanks) of the known field `field` into `h`. */
export function parseField(h: Header, field: string, info: string): void {
  if (parseAxisField(h, field, info) || parseSpaceField(h, field, info) || parseOtherField(h, field, info)) return;
  decline(`field "${field}"`);
}

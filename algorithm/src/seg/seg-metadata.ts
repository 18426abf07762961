// What the SEG says about itself and its one segment (SegDescription), checked against the DICOM
// value representations it ends up in, and read from a dcmqi meta-information JSON: the file
// Kaapana's dcmqi container (`itkimage2segimage.py`, run by Itk2DcmSegOperator) writes next to each
// mask and hands to `itkimage2segimage --inputMetadata` (schema `seg-schema.json` of QIICR/dcmqi:
// ContentCreatorName, SeriesDescription, SeriesNumber, InstanceNumber, BodyPartExamined and
// segmentAttributes[0][0] with SegmentLabel, SegmentAlgorithmType/Name, the category, type and type
// modifier codes and recommendedDisplayRGBValue). So a SEG can carry exactly the attributes Kaapana's
// operator gives it. Builds no DICOM; write-seg.ts does.
import { readFileSync } from 'node:fs';
import { OtsuError } from '../errors.js';
import type { DicomCode, SegmentCodes } from './segment-codes.js';

/** What the SEG says about itself and its one segment. */
export interface SegDescription {
  /** Segment label (LO, ≤64 chars), e.g. "abdomen". */
  label: string;
  /** Series Description of the SEG (LO, ≤64 chars), e.g. "Otsu's method". */
  seriesDescription: string;
  /** Series Number (IS). */
  seriesNumber: number;
  /** Instance Number (IS). */
  instanceNumber: number;
  /** Segment Algorithm Type: AUTOMATIC, SEMIAUTOMATIC or MANUAL. */
  algorithmType: 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL';
  /** Segment Algorithm Name (LO), e.g. "Otsu". */
  algorithmName: string;
  /** Content Creator's Name (PN, `Family^Given`). */
  contentCreatorName: string;
  /** Category, type (and optional type modifier) codes of the segment. */
  codes: SegmentCodes & { typeModifier?: DicomCode };
  /** Recommended display colour, sRGB 0..255 (stored as CIELab, as dcmqi does). */
  color: readonly [number, number, number];
  /** Body Part Examined (CS) of the SEG; default: the source's. */
  bodyPartExamined?: string;
}

/** Text fields end up in LO/PN/SH elements: no backslash or control characters, 1..max characters. */
export function checkText(what: string, value: string, max = 64, where: { file?: string } = {}): string {
  // Control characters are exactly what this check rejects.
  // eslint-disable-next-line no-control-regex
  if (value.length === 0 || value.length > max || /[\\\u0000-\u001f]/.test(value)) {
    throw new OtsuError(
      `${what} must be 1–${max} characters without backslash or control characters, got ${JSON.stringify(value)}`,
      where,
    );
  }
  return value;
}

function checkCode(what: string, c: DicomCode, where: { file?: string } = {}): DicomCode {
  checkText(`${what} CodeValue`, c.CodeValue, 64, where);
  checkText(`${what} CodingSchemeDesignator`, c.CodingSchemeDesignator, 16, where);
  checkText(`${what} CodeMeaning`, c.CodeMeaning, 64, where);
  return c;
}

/** Checks every value of `d` against its VR; throws an OtsuError naming the bad one. */
export function checkSegDescription(d: SegDescription, where: { file?: string } = {}): SegDescription {
  checkText('segment label', d.label, 64, where);
  checkText('series description', d.seriesDescription, 64, where);
  checkText('algorithm name', d.algorithmName, 64, where);
  checkText('content creator name', d.contentCreatorName, 64, where);
  for (const [what, n] of [
    ['series number', d.seriesNumber],
    ['instance number', d.instanceNumber],
  ] as const) {
    if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1)
      throw new OtsuError(`${what} must be a non-negative integer, got ${n}`, where);
  }
  if (!['AUTOMATIC', 'SEMIAUTOMATIC', 'MANUAL'].includes(d.algorithmType)) {
    throw new OtsuError(
      `segment algorithm type must be AUTOMATIC, SEMIAUTOMATIC or MANUAL, got ${JSON.stringify(d.algorithmType)}`,
      where,
    );
  }
  if (d.color.length !== 3 || d.color.some((c) => !Number.isInteger(c) || c < 0 || c > 255)) {
    throw new OtsuError(`segment colour must be three integers 0..255, got ${JSON.stringify(d.color)}`, where);
  }
  checkCode('category code', d.codes.category, where);
  checkCode('type code', d.codes.type, where);
  if (d.codes.typeModifier) checkCode('type modifier code', d.codes.typeModifier, where);
  if (d.bodyPartExamined !== undefined && !/^[A-Z0-9_ ]{1,16}$/.test(d.bodyPartExamined)) {
    throw new OtsuError(
      `body part examined must be 1–16 upper-case letters, digits, _ or space, got ${JSON.stringify(d.bodyPartExamined)}`,
      where,
    );
  }
  return d;
}

type Json = Record<string, unknown>;

function codeFrom(v: unknown): DicomCode | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Json;
  const parts = [o.CodeValue, o.CodingSchemeDesignator, o.CodeMeaning].map((x) =>
    typeof x === 'number' ? String(x) : x,
  );
  if (!parts.every((x) => typeof x === 'string' && x !== '')) return undefined;
  return { CodeValue: parts[0] as string, CodingSchemeDesignator: parts[1] as string, CodeMeaning: parts[2] as string };
}

/**
 * The parts of a SegDescription a dcmqi meta-information JSON file sets (its first segment).
 * Kaapana's files leave SegmentLabel empty and may carry a type modifier with an empty coding scheme
 * (its "SNOMED-RT ID (Retired)" column): empty values are left to the defaults, an incomplete
 * modifier code is dropped. Throws an OtsuError naming the file for unreadable JSON or bad values.
 */
export function readDcmqiMetadata(file: string): Partial<SegDescription> {
  let json: Json;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as Json;
  } catch (e) {
    throw new OtsuError(`cannot read the SEG metadata JSON: ${e instanceof Error ? e.message : String(e)}`, { file });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new OtsuError('the SEG metadata JSON must be an object (dcmqi seg-schema)', { file });
  }
  const attrs = json.segmentAttributes;
  const segment = (Array.isArray(attrs) && Array.isArray(attrs[0]) ? attrs[0][0] : undefined) as Json | undefined;
  if (attrs !== undefined && (typeof segment !== 'object' || segment === null)) {
    throw new OtsuError("segmentAttributes must be [[{ ...one segment... }]] as in dcmqi's seg-schema", { file });
  }
  const out: Partial<SegDescription> = {};
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const int = (what: string, v: unknown) => {
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new OtsuError(`${what} must be an integer, got ${JSON.stringify(v)}`, { file });
    return n;
  };
  const set = <K extends keyof SegDescription>(k: K, v: SegDescription[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('contentCreatorName', text(json.ContentCreatorName));
  set('seriesDescription', text(json.SeriesDescription));
  set('seriesNumber', int('SeriesNumber', json.SeriesNumber));
  set('instanceNumber', int('InstanceNumber', json.InstanceNumber));
  set('bodyPartExamined', text(json.BodyPartExamined));
  if (segment) {
    set('label', text(segment.SegmentLabel));
    set('algorithmType', text(segment.SegmentAlgorithmType) as SegDescription['algorithmType'] | undefined);
    set('algorithmName', text(segment.SegmentAlgorithmName));
    const category = codeFrom(segment.SegmentedPropertyCategoryCodeSequence);
    const type = codeFrom(segment.SegmentedPropertyTypeCodeSequence);
    if (
      (segment.SegmentedPropertyCategoryCodeSequence && !category) ||
      (segment.SegmentedPropertyTypeCodeSequence && !type)
    ) {
      throw new OtsuError('segment category and type codes need CodeValue, CodingSchemeDesignator and CodeMeaning', {
        file,
      });
    }
    const typeModifier = codeFrom(segment.SegmentedPropertyTypeModifierCodeSequence);
    if (category && type) out.codes = { category, type, ...(typeModifier ? { typeModifier } : {}) };
    const rgb = segment.recommendedDisplayRGBValue;
    if (rgb !== undefined) {
      if (!Array.isArray(rgb) || rgb.length !== 3)
        throw new OtsuError('recommendedDisplayRGBValue must be [r, g, b]', { file });
      out.color = rgb as unknown as [number, number, number];
    }
  }
  return out;
}

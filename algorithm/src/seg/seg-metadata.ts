// The dcmqi meta-information JSON (schema `seg-schema.json` of QIICR/dcmqi, as read by
// `itkimage2segimage` and by @itk-wasm/dicom's write-segmentation pipeline) for a single-segment
// SEG. It only builds the object; validation of the values' DICOM VRs happens here because dcmqi
// reports bad values with an unhelpful "Invalid Object".
import { OtsuError } from '../errors.js';
import type { JsonCompatible } from 'itk-wasm';
import type { DicomCode, SegmentCodes } from './segment-codes.js';

/** What the SEG says about itself and its one segment. */
export interface SegDescription {
  /** Segment label (LO, ≤64 chars), e.g. "abdomen". */
  label: string;
  /** Series Description of the SEG (LO, ≤64 chars), e.g. "Otsu's method". */
  seriesDescription: string;
  /** Series Number (IS). */
  seriesNumber: number;
  /** Segment Algorithm Name (LO), e.g. "Otsu". */
  algorithmName: string;
  /** Content Creator's Name (PN, `Family^Given`). */
  contentCreatorName: string;
  /** Category and type codes of the segment. */
  codes: SegmentCodes;
  /** Recommended display colour, sRGB 0..255. */
  color: readonly [number, number, number];
}

/** Text fields end up in LO/PN elements: no backslash or control characters, ≤64 characters. */
function checkText(what: string, value: string, max = 64): string {
  // Control characters are exactly what this check rejects.
  // eslint-disable-next-line no-control-regex
  if (value.length === 0 || value.length > max || /[\\\u0000-\u001f]/.test(value)) {
    throw new OtsuError(
      `${what} must be 1–${max} characters without backslash or control characters, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function codeJson(c: DicomCode): JsonCompatible {
  for (const [k, v] of Object.entries(c)) checkText(`code ${k}`, v);
  return { CodeValue: c.CodeValue, CodingSchemeDesignator: c.CodingSchemeDesignator, CodeMeaning: c.CodeMeaning };
}

/** The dcmqi JSON for one segment with label ID 1. */
export function buildSegMetadata(d: SegDescription): JsonCompatible {
  if (!Number.isInteger(d.seriesNumber) || d.seriesNumber < 0 || d.seriesNumber > 2 ** 31 - 1) {
    throw new OtsuError(`series number must be a non-negative integer, got ${d.seriesNumber}`);
  }
  if (d.color.length !== 3 || d.color.some((c) => !Number.isInteger(c) || c < 0 || c > 255)) {
    throw new OtsuError(`segment colour must be three integers 0..255, got ${JSON.stringify(d.color)}`);
  }
  return {
    ContentCreatorName: checkText('content creator name', d.contentCreatorName),
    ClinicalTrialSeriesID: 'Session1',
    ClinicalTrialTimePointID: '1',
    ClinicalTrialCoordinatingCenterName: 'kaapana',
    SeriesDescription: checkText('series description', d.seriesDescription),
    SeriesNumber: String(d.seriesNumber),
    InstanceNumber: '1',
    segmentAttributes: [
      [
        {
          labelID: 1,
          SegmentLabel: checkText('segment label', d.label),
          SegmentDescription: d.label,
          SegmentAlgorithmType: 'AUTOMATIC',
          SegmentAlgorithmName: checkText('algorithm name', d.algorithmName),
          SegmentedPropertyCategoryCodeSequence: codeJson(d.codes.category),
          SegmentedPropertyTypeCodeSequence: codeJson(d.codes.type),
          recommendedDisplayRGBValue: [...d.color],
        },
      ],
    ],
  };
}

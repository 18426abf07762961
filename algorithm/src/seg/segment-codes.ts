// Coded meaning of the one segment a kaapana-otsu SEG holds: maps the free-text label (e.g.
// "abdomen", as Kaapana's `single_label_seg_info`) to DICOM category/type codes (SNOMED CT, as in
// DICOM PS3.16 CID 7150/7151). Unknown labels fall back to the generic "Tissue" code and keep their
// text in SegmentLabel. Nothing here touches files.

/** One DICOM code triple (Code Sequence Macro). */
export interface DicomCode {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

/** Category and type of a segment (SegmentedPropertyCategory/TypeCodeSequence). */
export interface SegmentCodes {
  category: DicomCode;
  type: DicomCode;
}

const ANATOMICAL_STRUCTURE: DicomCode = {
  CodeValue: '123037004',
  CodingSchemeDesignator: 'SCT',
  CodeMeaning: 'Anatomical Structure',
};

const TISSUE: DicomCode = { CodeValue: '85756007', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Tissue' };

const ANATOMY: Record<string, DicomCode> = {
  abdomen: { CodeValue: '818981001', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Abdomen' },
  body: { CodeValue: '38266002', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Entire body' },
  brain: { CodeValue: '12738006', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Brain' },
  chest: { CodeValue: '51185008', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Thorax' },
  head: { CodeValue: '69536005', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Head' },
  liver: { CodeValue: '10200004', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Liver' },
  lung: { CodeValue: '39607008', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Lung' },
  pelvis: { CodeValue: '12921003', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Pelvis' },
  thorax: { CodeValue: '51185008', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Thorax' },
};

/**
 * Codes for a segment label: known anatomy (case and surrounding blanks ignored; "whole body"
 * and "entire body" are "body") gets its SNOMED CT code under "Anatomical Structure"; anything
 * else is coded as "Tissue" / "Tissue".
 */
export function codesForLabel(label: string): SegmentCodes {
  const key = label
    .trim()
    .toLowerCase()
    .replace(/^(whole|entire)\s+body$/, 'body');
  const anatomy = ANATOMY[key];
  if (anatomy) return { category: ANATOMICAL_STRUCTURE, type: anatomy };
  return { category: TISSUE, type: TISSUE };
}

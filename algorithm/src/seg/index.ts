// Public API of the DICOM SEG writer: `writeDicomSeg` turns a binary mask plus the files of its
// source DICOM series into a single-segment DICOM Segmentation object (dcmqi via @itk-wasm/dicom).
// Reading images and computing masks belong elsewhere in the algorithm package.
export { writeDicomSeg } from './write-seg.js';
export type { WriteDicomSegOptions, WriteDicomSegResult } from './write-seg.js';
export { codesForLabel } from './segment-codes.js';
export type { DicomCode, SegmentCodes } from './segment-codes.js';

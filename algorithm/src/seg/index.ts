// Public API of the DICOM SEG writer: `writeDicomSeg` turns a binary mask plus the files of its
// source DICOM series (or multi-frame file) into a single-segment DICOM Segmentation object with one
// position per frame (own encoder, no WebAssembly); `readDcmqiMetadata` reads the segment attributes
// from a dcmqi meta-information JSON as Kaapana's Itk2DcmSegOperator writes it.
// Reading images and computing masks belong elsewhere in the algorithm package.
//
// Usage (CLI side):
//   const seg = await writeDicomSeg({
//     mask,                                  // itk-wasm Image on the source grid, non-zero = foreground
//     sourceFiles: volume.source.files,      // slice order; undefined for NRRD/NIfTI → { status: 'skipped' }
//     outputFile: join(outDir, 'seg.dcm'),
//     label: 'abdomen', seriesDescription: "Otsu's method",   // the defaults
//     description: readDcmqiMetadata('seg-info.json'),        // optional, wins over the above
//   });
//   if (seg.status === 'skipped') log(seg.message);          // 'no-source-series' | 'empty-mask'
// Throws OtsuError (with `file`) for unreadable sources and sources a SEG cannot describe.
export { writeDicomSeg } from './write-seg.js';
export type { WriteDicomSegOptions, WriteDicomSegResult } from './write-seg.js';
export { checkSegDescription, readDcmqiMetadata, type SegDescription } from './seg-metadata.js';
export { codesForLabel } from './segment-codes.js';
export type { DicomCode, SegmentCodes } from './segment-codes.js';

// Public API of the DICOM SEG writer: `writeDicomSeg` turns a binary mask plus the files of its
// source DICOM series into a single-segment DICOM Segmentation object (dcmqi via @itk-wasm/dicom).
// Reading images and computing masks belong elsewhere in the algorithm package.
//
// Usage (CLI side):
//   const { outputImage, sortedFilenames } = await readImageDicomFileSeriesNode({ inputImages });
//   const seg = await writeDicomSeg({
//     mask,                                  // itk-wasm Image on outputImage's grid, non-zero = foreground
//     sourceFiles: sortedFilenames,          // undefined for NRRD/NIfTI input → { status: 'skipped' }
//     outputFile: join(outDir, 'seg.dcm'),
//     label: 'abdomen', seriesDescription: "Otsu's method",   // the defaults
//   });
//   if (seg.status === 'skipped') log(seg.message);          // 'no-source-series' | 'empty-mask'
// Throws OtsuError (with `file`) for unreadable sources, masks off the source grid, multi-frame sources.
export { writeDicomSeg } from './write-seg.js';
export type { WriteDicomSegOptions, WriteDicomSegResult } from './write-seg.js';
export { codesForLabel } from './segment-codes.js';
export type { DicomCode, SegmentCodes } from './segment-codes.js';

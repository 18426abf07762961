// Public API of the segmentation report: `writeReport` (report.png + report.html [+ JSON]), and the
// pieces for callers that want them separately — `computeFigures` (the JSON figures),
// `renderReportImages` (rasters), `encodePng`, `renderHtml`. No CLI wiring here.
//
// Usage (CLI side), with the otsu module's result `otsu` (otsuMask):
//   const { figures } = await writeReport({
//     outputDir, image, mask,                       // itk-wasm Images on the same grid
//     histogram: reportHistogramOf(otsu),           // bins, counts and threshold as ITK computed them
//     title: basename(input),
//     details: [['Input', input], ['DICOM SEG', seg.status === 'written' ? 'seg.dcm' : seg.message]],
//     foregroundValue: outsideValue,                // only when not the default 0/1 mask
//   });                                             // → report.png, report.html (+ files.json if named)
//   // `figures` (threshold, foregroundVoxels, totalVoxels, foregroundVolumeMl, …) is JSON-ready.
export { writeReport } from './write-report.js';
export type { WriteReportOptions, WriteReportResult } from './write-report.js';
export { computeFigures, countForeground } from './figures.js';
export type { ReportFigures } from './figures.js';
export { renderReportImages, REPORT_COLORS } from './render.js';
export type { ReportRenderOptions, ReportImages, ReportLayout } from './render.js';
export type { ReportHistogram } from './histogram-plot.js';
export { histogramFrame, reportHistogramOf } from './histogram-plot.js';
export type { IntensityWindow, ViewGeometry, ViewName } from './slice-views.js';
export { autoWindow, placeView, voxelAt, windowed } from './slice-views.js';
export { encodePng } from './png.js';
export { Raster } from './raster.js';
export type { Rgb } from './raster.js';
export { renderHtml, escapeHtml, figureRows } from './html-page.js';
export type { HtmlReportInput } from './html-page.js';
export { formatNumber } from './number-format.js';

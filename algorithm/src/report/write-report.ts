// Writes the report files of one segmentation — report.png (slices + histogram), report.html
// (self-contained page with both pictures and the figures) and, when asked, the figures as JSON —
// after rendering everything in memory, each file atomically. Owns file names and writing only.
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { computeFigures, type ReportFigures } from './figures.js';
import { renderHtml } from './html-page.js';
import { encodePngs } from './png.js';
import { renderReportImages, type ReportRenderOptions } from './render.js';

export interface WriteReportOptions extends ReportRenderOptions {
  /** Directory to write into (created if missing). */
  outputDir: string;
  /** Page heading. Default "Otsu segmentation report". */
  title?: string;
  /** Extra rows for the HTML figures table, e.g. `['Input', 'series 1.2.3']`, `['DICOM SEG', 'skipped: …']`. */
  details?: ReadonlyArray<readonly [string, string]>;
  /**
   * File names inside `outputDir`. Defaults: `report.png`, `report.html`; `json` defaults to none
   * (the CLI puts the figures into its own result.json), give a name such as `report.json` to write it.
   */
  files?: { png?: string; html?: string; json?: string };
}

export interface WriteReportResult {
  figures: ReportFigures;
  files: { png: string; html: string; json?: string };
}

/**
 * Render and write the report. Bad input (size mismatch, missing data, malformed histogram) throws
 * `OtsuError` before any file is written.
 */
export async function writeReport(o: WriteReportOptions): Promise<WriteReportResult> {
  const figures = computeFigures(o.mask, o.histogram.threshold, o.foregroundValue);
  const images = renderReportImages(o);
  const {
    whole: png,
    parts: [slicesPng, histogramPng],
  } = encodePngs(images.composite, [images.slices, images.histogram]);
  const html = renderHtml({
    title: o.title ?? 'Otsu segmentation report',
    figures,
    slicesPng: slicesPng!,
    histogramPng: histogramPng!,
    ...(o.details ? { details: o.details } : {}),
  });
  const files: WriteReportResult['files'] = {
    png: join(o.outputDir, o.files?.png ?? 'report.png'),
    html: join(o.outputDir, o.files?.html ?? 'report.html'),
  };
  if (o.files?.json) files.json = join(o.outputDir, o.files.json);
  writeFileAtomic(files.png, png);
  writeFileAtomic(files.html, html);
  if (files.json) writeFileAtomic(files.json, `${JSON.stringify(figures, null, 2)}\n`);
  return { figures, files };
}

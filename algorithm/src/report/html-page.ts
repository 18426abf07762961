// The report page for a person: self-contained HTML (images inlined as data: URIs, no scripts, no
// external styles), every piece of text escaped, markup well-formed XML as well (polyglot XHTML),
// so it can be archived, mailed or opened from a PACS viewer's attachment list. Owns the markup only.
import type { ReportFigures } from './figures.js';
import { formatNumber } from './number-format.js';

/** Text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export interface HtmlReportInput {
  /** Page heading, e.g. the input's name. */
  title: string;
  figures: ReportFigures;
  /** PNG of the three middle slices with the mask overlay. */
  slicesPng: Uint8Array;
  /** PNG of the histogram with the threshold. */
  histogramPng: Uint8Array;
  /** Extra rows for the figures table (label → value), e.g. input file, series UID, SEG status. */
  details?: ReadonlyArray<readonly [string, string]>;
}

function dataUri(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
}

/** Rows of the figures table as [label, formatted value]. */
export function figureRows(f: ReportFigures): [string, string][] {
  return [
    ['Threshold', formatNumber(f.threshold)],
    ['Foreground voxels', String(f.foregroundVoxels)],
    ['Total voxels', String(f.totalVoxels)],
    ['Foreground fraction', `${formatNumber(f.foregroundFraction * 100, 4)} %`],
    ['Foreground volume (ml)', f.foregroundVolumeMl === null ? 'n/a (2-D image)' : formatNumber(f.foregroundVolumeMl)],
    ['Voxel volume (ml)', f.voxelVolumeMl === null ? 'n/a (2-D image)' : formatNumber(f.voxelVolumeMl)],
    ['Size (voxels)', f.size.join(' × ')],
    ['Spacing (mm)', f.spacing.map((s) => formatNumber(s)).join(' × ')],
  ];
}

export function renderHtml(input: HtmlReportInput): string {
  const rows = [...figureRows(input.figures), ...(input.details ?? [])]
    .map(([k, v]) => `      <tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('\n');
  const title = escapeHtml(input.title);
  return `<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>${title}</title>
  <style>
    body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
    table { border-collapse: collapse; margin: 1em 0; }
    th, td { border: 1px solid #ccc; padding: 0.3em 0.8em; text-align: left; }
    td { font-variant-numeric: tabular-nums; }
    img { max-width: 100%; image-rendering: pixelated; display: block; margin: 0.5em 0; }
  </style>
</head>
<body>
  <h1>${title}</h1>
  <h2>Figures</h2>
  <table id="figures">
    <tbody>
${rows}
    </tbody>
  </table>
  <h2>Middle slices</h2>
  <p>Axial, coronal and sagittal middle slices; the segmented region is tinted.</p>
  <img id="slices" alt="Axial, coronal and sagittal middle slices with the mask overlay" src="${dataUri(input.slicesPng)}" />
  <h2>Histogram</h2>
  <p>Intensity histogram; bins above the threshold are tinted, the threshold is the vertical line.</p>
  <img id="histogram" alt="Intensity histogram with the threshold marked" src="${dataUri(input.histogramPng)}" />
</body>
</html>
`;
}

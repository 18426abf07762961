// One segmentation, end to end for one volume: Otsu (ITK-identical) → mask.nrrd, and unless
// mask-only: seg.dcm (DICOM inputs), report.png + report.html, and result.json, written into a
// directory the caller stages (withStagingDir: the CLI moves every series' files into --output only
// once all of them exist).
// Owns the order of the steps and the file names; the steps themselves live in otsu/, volume/, seg/
// and report/. The SEG writer and the report are imported when a run writes them (not with
// --mask-only): a cold process loads only the code its outputs need.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Image } from 'itk-wasm';
import { writeFileAtomic } from '../atomic-write.js';
import { errorMessage } from '../errors.js';
import { otsuMask, type ScalarArray } from '../otsu/index.js';
import { maskImage, scannedSourceHeaders, writeNrrdAtomic, type Volume } from '../volume/index.js';
import type { SegDescription } from '../seg/index.js';
import { buildResult, type SegmentationResult } from './result-json.js';
import type { Progress } from './progress.js';

export const OUTPUT_FILES = {
  mask: 'mask.nrrd',
  seg: 'seg.dcm',
  reportPng: 'report.png',
  reportHtml: 'report.html',
  result: 'result.json',
} as const;

export interface SegmentOptions {
  bins: number;
  inside: number;
  outside: number;
  /** Only mask.nrrd and result.json. */
  maskOnly: boolean;
  /** Segment label of the DICOM SEG. */
  label: string;
  /** Further SEG attributes (e.g. read from a dcmqi/Kaapana metadata JSON by --seg-metadata). */
  segDescription?: Partial<SegDescription>;
  version: string;
  progress: Progress;
  /** Warnings (the run goes on); the CLI prints them on stderr. */
  warn: (message: string) => void;
}

/** A 0/1 mask of the voxels above the threshold, whatever inside/outside values mask.nrrd uses. */
function foregroundMask(mask: Uint8Array, inside: number, outside: number): Uint8Array {
  if (inside === 0 && outside === 1) return mask;
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] === outside && inside !== outside ? 1 : 0;
  return out;
}

type Otsu = ReturnType<typeof otsuMask>;
type SegStatus = NonNullable<SegmentationResult['seg']>;

/** seg.dcm into `staging` when a SEG can describe the source; else the reason (a warning when it failed). */
async function writeSeg(
  binary: Image,
  source: Volume['source'],
  staging: string,
  o: SegmentOptions,
): Promise<SegStatus> {
  // The SEG is optional: some DICOM objects cannot carry one (no Frame of Reference, shared
  // positions). Then the other outputs still count; the reason goes to result.json and a warning.
  try {
    const { writeDicomSeg } = await import('../seg/write-seg.js');
    const written = await writeDicomSeg({
      mask: binary,
      sourceFiles: source.kind === 'dicom' ? source.files : undefined,
      sourceHeaders: scannedSourceHeaders(source),
      outputFile: join(staging, OUTPUT_FILES.seg),
      label: o.label,
      ...(o.segDescription ? { description: o.segDescription } : {}),
      softwareVersion: o.version,
    });
    if (written.status === 'written') {
      o.progress(`wrote ${OUTPUT_FILES.seg}`);
      return { status: 'written' };
    }
    o.progress(`no ${OUTPUT_FILES.seg}: ${written.message}`);
    return { status: 'skipped', message: written.message };
  } catch (e) {
    o.warn(`no ${OUTPUT_FILES.seg}: ${errorMessage(e)}`);
    return { status: 'failed', message: errorMessage(e) };
  }
}

/** report.png and report.html into `staging`. */
async function writeReportFiles(
  volume: Volume,
  binary: Image,
  otsu: Otsu,
  seg: SegStatus,
  staging: string,
  o: SegmentOptions,
): Promise<void> {
  const { image, source } = volume;
  const { writeReport } = await import('../report/write-report.js');
  await writeReport({
    outputDir: staging,
    image,
    mask: binary,
    histogram: {
      binMin: otsu.histogram.binMins,
      binMax: otsu.histogram.binMaxs,
      counts: otsu.histogram.frequencies,
      threshold: otsu.threshold,
    },
    details: [
      [
        'Input',
        source.kind === 'dicom'
          ? `DICOM series ${source.seriesInstanceUid} (${source.files.length} files)`
          : source.file,
      ],
      ['Pixel type', otsu.pixelType],
      ['Histogram bins', String(o.bins)],
      ['DICOM SEG', seg.status === 'written' ? OUTPUT_FILES.seg : `${seg.status}: ${seg.message ?? ''}`],
    ],
    files: { png: OUTPUT_FILES.reportPng, html: OUTPUT_FILES.reportHtml },
  });
  o.progress(`wrote ${OUTPUT_FILES.reportPng}, ${OUTPUT_FILES.reportHtml}`);
}

/** Segments `volume` and writes its files into `staging` (created; the caller moves them into place). */
export async function segmentVolume(volume: Volume, staging: string, o: SegmentOptions): Promise<SegmentationResult> {
  const { image, source } = volume;
  o.progress(`Otsu on ${image.size.join('×')} ${image.imageType.componentType} voxels (${o.bins} bins)`);
  const otsu = otsuMask(image.data as ScalarArray, { bins: o.bins, inside: o.inside, outside: o.outside });
  o.progress(`threshold ${otsu.threshold}: ${otsu.foregroundVoxels} of ${otsu.totalVoxels} voxels above it`);

  mkdirSync(staging, { recursive: true });
  const outputs: Record<string, string | null> = {
    mask: OUTPUT_FILES.mask,
    seg: null,
    reportPng: null,
    reportHtml: null,
  };
  await writeNrrdAtomic(maskImage(image, otsu.mask), join(staging, OUTPUT_FILES.mask));
  o.progress(`wrote ${OUTPUT_FILES.mask}`);

  let seg: SegStatus = { status: 'not-requested' };
  if (!o.maskOnly) {
    const binary: Image = maskImage(image, foregroundMask(otsu.mask, o.inside, o.outside));
    seg = await writeSeg(binary, source, staging, o);
    if (seg.status === 'written') outputs.seg = OUTPUT_FILES.seg;
    await writeReportFiles(volume, binary, otsu, seg, staging, o);
    outputs.reportPng = OUTPUT_FILES.reportPng;
    outputs.reportHtml = OUTPUT_FILES.reportHtml;
  }
  const result = buildResult(o.version, image, source, otsu, { inside: o.inside, outside: o.outside }, outputs);
  result.seg = seg;
  writeFileAtomic(join(staging, OUTPUT_FILES.result), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

// One segmentation, end to end for one volume: Otsu (ITK-identical) → mask.nrrd, and unless
// mask-only: seg.dcm (DICOM inputs), report.png + report.html, and result.json. Everything is staged
// and moved into the output directory only once all files exist.
// Owns the order of the steps and the file names; the steps themselves live in otsu/, volume/, seg/
// and report/.
import { join } from 'node:path';
import type { Image } from 'itk-wasm';
import { writeFileAtomic } from '../atomic-write.js';
import { errorMessage } from '../errors.js';
import { otsuMask, type ScalarArray } from '../otsu/index.js';
import { maskImage, writeNrrdAtomic, type Volume } from '../volume/index.js';
import { writeDicomSeg, type SegDescription } from '../seg/index.js';
import { writeReport } from '../report/index.js';
import { buildResult, type SegmentationResult } from './result-json.js';
import { withStagingDir } from './staging-dir.js';
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

export async function segmentVolume(volume: Volume, outputDir: string, o: SegmentOptions): Promise<SegmentationResult> {
  const { image, source } = volume;
  o.progress(`Otsu on ${image.size.join('×')} ${image.imageType.componentType} voxels (${o.bins} bins)`);
  const otsu = otsuMask(image.data as ScalarArray, { bins: o.bins, inside: o.inside, outside: o.outside });
  o.progress(`threshold ${otsu.threshold}: ${otsu.foregroundVoxels} of ${otsu.totalVoxels} voxels above it`);
  const mask = maskImage(image, otsu.mask);

  return withStagingDir(outputDir, async (staging) => {
    const outputs: Record<string, string | null> = { mask: OUTPUT_FILES.mask, seg: null, reportPng: null, reportHtml: null };
    await writeNrrdAtomic(mask, join(staging, OUTPUT_FILES.mask));
    o.progress(`wrote ${OUTPUT_FILES.mask}`);

    let seg: SegmentationResult['seg'] = { status: 'not-requested' };
    if (!o.maskOnly) {
      const binary: Image = maskImage(image, foregroundMask(otsu.mask, o.inside, o.outside));
      // The SEG is optional: some DICOM objects cannot carry one (RT Dose grids, unevenly spaced or
      // transfer syntaxes dcmqi cannot read). Then the other outputs still count; the reason goes
      // to result.json and a warning.
      try {
        const written = await writeDicomSeg({
          mask: binary,
          sourceFiles: source.kind === 'dicom' ? source.files : undefined,
          outputFile: join(staging, OUTPUT_FILES.seg),
          label: o.label,
          ...(o.segDescription ? { description: o.segDescription } : {}),
          softwareVersion: o.version,
        });
        if (written.status === 'written') {
          outputs.seg = OUTPUT_FILES.seg;
          seg = { status: 'written' };
          o.progress(`wrote ${OUTPUT_FILES.seg}`);
        } else {
          seg = { status: 'skipped', message: written.message };
          o.progress(`no ${OUTPUT_FILES.seg}: ${written.message}`);
        }
      } catch (e) {
        seg = { status: 'failed', message: errorMessage(e) };
        o.warn(`no ${OUTPUT_FILES.seg}: ${errorMessage(e)}`);
      }
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
          ['Input', source.kind === 'dicom' ? `DICOM series ${source.seriesInstanceUid} (${source.files.length} files)` : source.file],
          ['Pixel type', otsu.pixelType],
          ['Histogram bins', String(o.bins)],
          ['DICOM SEG', seg.status === 'written' ? OUTPUT_FILES.seg : `${seg.status}: ${seg.message ?? ''}`],
        ],
        files: { png: OUTPUT_FILES.reportPng, html: OUTPUT_FILES.reportHtml },
      });
      outputs.reportPng = OUTPUT_FILES.reportPng;
      outputs.reportHtml = OUTPUT_FILES.reportHtml;
      o.progress(`wrote ${OUTPUT_FILES.reportPng}, ${OUTPUT_FILES.reportHtml}`);
    }
    const result = buildResult(o.version, image, source, otsu, { inside: o.inside, outside: o.outside }, outputs);
    result.seg = seg;
    writeFileAtomic(join(staging, OUTPUT_FILES.result), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  });
}

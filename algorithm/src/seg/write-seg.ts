// Writes the DICOM Segmentation object (one binary segment) for a mask computed on a DICOM series,
// with dcmqi's converter as compiled into @itk-wasm/dicom (`writeSegmentationNode`, the same code
// path as dcmqi's `itkimage2segimage` that Kaapana's Itk2DcmSeg operator runs). dcmqi copies patient,
// study and Frame of Reference from the source files and references each source SOP instance per
// frame. This module owns input checks, the explicit "skipped" results and the atomic write; it
// does not read images or compute the mask.
import { existsSync } from 'node:fs';
import { readFile, access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Image } from 'itk-wasm';
import { scalarImage } from '../volume/mask-image.js';
import { writeFileAtomic } from '../atomic-write.js';
import { OtsuError, errorMessage } from '../errors.js';
import { withCapturedConsole } from '../captured-console.js';
import { buildSegMetadata } from './seg-metadata.js';
import { codesForLabel, type SegmentCodes } from './segment-codes.js';

/** Options of {@link writeDicomSeg}. Only `mask`, `sourceFiles` and `outputFile` are required. */
export interface WriteDicomSegOptions {
  /**
   * Binary mask on the grid of the source series (itk-wasm `Image`, 2-D or 3-D, one component,
   * integer or float pixels): any non-zero voxel is foreground. Its origin, spacing and direction
   * must be those of the series as read by ITK, since dcmqi maps mask slices to source instances by
   * position.
   */
  mask: Image;
  /**
   * The files of the DICOM series the mask was computed on (any order; every file of the series,
   * e.g. `sortedFilenames` of `readImageDicomFileSeriesNode`). `undefined` or empty means the input
   * had no DICOM source (NRRD/NIfTI): the SEG is then skipped, see {@link WriteDicomSegResult}.
   * Single-frame instances only: dcmqi maps one mask slice per source file, so a multi-frame source
   * is rejected with a `OtsuError` (observed with a 15-frame RT Dose).
   */
  sourceFiles: readonly string[] | undefined;
  /** Where to write the SEG (`seg.dcm`); written atomically, parent dirs created. */
  outputFile: string;
  /** Segment label (SegmentLabel/SegmentDescription). Default `"abdomen"` (as Kaapana's example DAG). */
  label?: string;
  /** Series Description of the SEG. Default `"Otsu's method"`. */
  seriesDescription?: string;
  /** Series Number of the SEG. Default 900. */
  seriesNumber?: number;
  /** Segment Algorithm Name. Default `"Otsu"`. */
  algorithmName?: string;
  /** Content Creator's Name (DICOM PN). Default `"kaapana-otsu^"`. */
  contentCreatorName?: string;
  /** Category/type codes; default derived from `label` by {@link codesForLabel}. */
  codes?: SegmentCodes;
  /** Recommended display colour (sRGB). Default red `[255, 0, 0]`, the report's overlay colour. */
  color?: readonly [number, number, number];
  /**
   * Leave empty slices out of the SEG. dcmqi then encodes the range from the first to the last slice
   * with foreground (empty slices inside that range stay). Default false: one frame per slice.
   */
  skipEmptySlices?: boolean;
}

/**
 * Outcome of {@link writeDicomSeg}. A SEG is an optional product: when it cannot exist the result
 * says why instead of throwing, so callers can report it and carry on.
 * - `no-source-series`: the input was not DICOM (NRRD/NIfTI) and no source series was given.
 * - `empty-mask`: no foreground voxel; DICOM SEG needs at least one segment with content
 *   (dcmqi refuses an empty one), so nothing is written.
 */
export type WriteDicomSegResult =
  | { status: 'written'; file: string; bytes: number; foregroundVoxels: number; referencedFiles: number }
  | { status: 'skipped'; reason: 'no-source-series' | 'empty-mask'; message: string };

const DEFAULTS = {
  label: 'abdomen',
  seriesDescription: "Otsu's method",
  seriesNumber: 900,
  algorithmName: 'Otsu',
  contentCreatorName: 'kaapana-otsu^',
  color: [255, 0, 0] as const,
};

/** The mask as the int16 label image (0/1) dcmqi's pipeline expects, 3-D, plus its voxel count. */
function toLabelImage(mask: Image): { image: Image; foreground: number } {
  const { imageType, size, data } = mask;
  if (data === null) throw new OtsuError('mask has no pixel data');
  if (imageType.components !== 1) {
    throw new OtsuError(`mask must have one component per pixel, it has ${imageType.components}`);
  }
  if (imageType.dimension !== 2 && imageType.dimension !== 3) {
    throw new OtsuError(`mask must be 2-D or 3-D, it is ${imageType.dimension}-D`);
  }
  const n = size.reduce((a, b) => a * b, 1);
  if (data.length !== n) {
    throw new OtsuError(`mask has ${data.length} values but its size ${size.join('×')} needs ${n}`);
  }
  const labels = new Int16Array(n);
  let foreground = 0;
  for (let i = 0; i < n; i++) {
    // `!= 0` on number | bigint: BigInt typed arrays are not pixel types itk-wasm uses for masks.
    if (Number(data[i]) !== 0) {
      labels[i] = 1;
      foreground++;
    }
  }
  const three = <T>(v: readonly T[], pad: T): T[] => (v.length === 3 ? [...v] : [...v, pad]);
  const d = Array.from(mask.direction, Number);
  const direction =
    imageType.dimension === 3 ? d : [d[0] ?? 1, d[1] ?? 0, 0, d[2] ?? 0, d[3] ?? 1, 0, 0, 0, 1];
  const grid = { size: three(size, 1), spacing: three(mask.spacing, 1), origin: three(mask.origin, 0), direction };
  return { image: scalarImage('int16', grid, labels, 'mask'), foreground };
}

async function checkReadable(files: readonly string[]): Promise<string[]> {
  const absolute = files.map((f) => resolve(f));
  for (const f of absolute) {
    try {
      await access(f, constants.R_OK);
    } catch {
      throw new OtsuError('source DICOM file is missing or unreadable', { file: f });
    }
  }
  return absolute;
}

/** Last lines of dcmqi's log, for an error message. */
function tail(output: string, lines = 8): string {
  const kept = output
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0);
  return kept.slice(-lines).join('\n');
}

/**
 * Write a single-segment DICOM SEG for `mask` that references the source series. Throws `OtsuError`
 * for bad input (unreadable source file, malformed mask, invalid text) and when dcmqi rejects the
 * combination (e.g. mask slices that match no source instance); in every failure case nothing is
 * written at `outputFile`.
 */
export async function writeDicomSeg(options: WriteDicomSegOptions): Promise<WriteDicomSegResult> {
  const label = options.label ?? DEFAULTS.label;
  const metadata = buildSegMetadata({
    label,
    seriesDescription: options.seriesDescription ?? DEFAULTS.seriesDescription,
    seriesNumber: options.seriesNumber ?? DEFAULTS.seriesNumber,
    algorithmName: options.algorithmName ?? DEFAULTS.algorithmName,
    contentCreatorName: options.contentCreatorName ?? DEFAULTS.contentCreatorName,
    codes: options.codes ?? codesForLabel(label),
    color: options.color ?? DEFAULTS.color,
  });

  if (options.sourceFiles === undefined || options.sourceFiles.length === 0) {
    return {
      status: 'skipped',
      reason: 'no-source-series',
      message: 'DICOM SEG skipped: the input is not a DICOM series and no source series was given',
    };
  }
  const { image, foreground } = toLabelImage(options.mask);
  if (foreground === 0) {
    return {
      status: 'skipped',
      reason: 'empty-mask',
      message: 'DICOM SEG skipped: the mask has no foreground voxel and a SEG segment cannot be empty',
    };
  }
  const sources = await checkReadable(options.sourceFiles);
  const outputFile = resolve(options.outputFile);

  // Loaded here, not with the module: most of a run needs no WebAssembly.
  const { writeSegmentationNode } = await import('@itk-wasm/dicom');
  const dir = await mkdtemp(join(tmpdir(), 'kx-seg-'));
  const bytes = await (async () => {
    const tmp = join(dir, 'seg.dcm');
    const run = await withCapturedConsole(() =>
      writeSegmentationNode(image, metadata, tmp, {
        refDicomSeries: sources,
        skipEmptySlices: options.skipEmptySlices ?? false,
      }),
    );
    // The pipeline ends with exit code 0 even when dcmqi gives up, and throws raw numbers on C++
    // exceptions: a missing output file is the reliable failure signal.
    if (run.error !== undefined || !existsSync(tmp)) {
      const why = tail([run.error === undefined ? '' : errorMessage(run.error), run.output].join('\n'));
      throw new OtsuError(
        `dcmqi could not write the DICOM SEG for this series${why ? `:\n${why}` : ''}`,
        { file: sources[0] },
        { cause: run.error },
      );
    }
    const mapped = /(\d+) of (\d+) slices mapped to source DICOM images/.exec(run.output);
    if (!mapped) {
      throw new OtsuError(
        `dcmqi did not report how the mask slices map to the source instances; refusing an unchecked SEG:\n${tail(run.output)}`,
        { file: sources[0] },
      );
    }
    if (mapped[1] !== mapped[2]) {
      // dcmqi still writes a SEG then, but its frames reference no source image: the mask is not
      // on the series' grid (wrong origin/spacing/direction, or another series).
      throw new OtsuError(
        `only ${mapped[1]} of ${mapped[2]} mask slices lie on a slice of the source series: the mask's geometry ` +
          `(origin ${image.origin.join(', ')}, spacing ${image.spacing.join(', ')}) does not match the DICOM files` +
          (sources.length < Number(mapped[2])
            ? ` (fewer source files than mask slices: dcmqi maps at most one slice per source file, so a ` +
              `multi-frame source cannot be referenced by a SEG here)`
            : ''),
        { file: sources[0] },
      );
    }
    return readFile(tmp);
  })().finally(() => rm(dir, { recursive: true, force: true }));
  writeFileAtomic(outputFile, bytes);
  return { status: 'written', file: outputFile, bytes: bytes.length, foregroundVoxels: foreground, referencedFiles: sources.length };
}

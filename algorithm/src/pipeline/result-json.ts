// The machine-readable result of one segmentation (result.json): the figures the issue names
// (threshold as ITK reports it, voxel counts, geometry, pixel type) plus how they were obtained.
// Owns the shape of the JSON, not the computation.
import type { Image } from 'itk-wasm';
import type { OtsuMaskResult } from '../otsu/index.js';
import type { VolumeSource } from '../volume/index.js';

export interface SegmentationResult {
  tool: { name: 'kaapana-otsu'; version: string; reference: string };
  input:
    | { kind: 'dicom'; seriesInstanceUid: string; modality: string; files: number }
    | { kind: 'image-file'; file: string };
  /** The threshold as `OtsuThresholdImageFilter::GetThreshold()` reports it (pixel type). */
  threshold: number;
  /** Voxels above the threshold (they get the outside value, 1 by default). */
  foregroundVoxels: number;
  totalVoxels: number;
  foregroundFraction: number;
  /** foregroundVoxels × voxel volume, in ml (spacing in mm). */
  foregroundVolumeMl: number;
  size: number[];
  spacing: number[];
  origin: number[];
  /** Direction cosines, row-major (ITK's Matrix order). */
  direction: number[];
  pixelType: string;
  bins: number;
  insideValue: number;
  outsideValue: number;
  histogram: {
    binIndex: number;
    binMax: number;
    dataMin: number;
    dataMax: number;
    binMins: number[];
    binMaxs: number[];
    counts: number[];
  };
  outputs: Record<string, string | null>;
  /** written; skipped (no DICOM source, empty mask); failed (the SEG writer refused this input); not-requested (--mask-only). */
  seg?: { status: 'written' | 'skipped' | 'failed' | 'not-requested'; message?: string };
}

export function buildResult(
  version: string,
  image: Image,
  source: VolumeSource,
  otsu: OtsuMaskResult,
  values: { inside: number; outside: number },
  outputs: Record<string, string | null>,
): SegmentationResult {
  const voxelMl = image.spacing.reduce((a, b) => a * b, 1) / 1000;
  return {
    tool: {
      name: 'kaapana-otsu',
      version,
      reference: 'ITK 5.2 OtsuThresholdImageFilter (sitk.OtsuThreshold(image, inside, outside, bins))',
    },
    input:
      source.kind === 'dicom'
        ? {
            kind: 'dicom',
            seriesInstanceUid: source.seriesInstanceUid,
            modality: source.modality,
            files: source.files.length,
          }
        : { kind: 'image-file', file: source.file },
    threshold: otsu.threshold,
    foregroundVoxels: otsu.foregroundVoxels,
    totalVoxels: otsu.totalVoxels,
    foregroundFraction: otsu.totalVoxels ? otsu.foregroundVoxels / otsu.totalVoxels : 0,
    foregroundVolumeMl: otsu.foregroundVoxels * voxelMl,
    size: [...image.size],
    spacing: [...image.spacing],
    origin: [...image.origin],
    direction: Array.from(image.direction as ArrayLike<number>),
    pixelType: otsu.pixelType,
    bins: otsu.histogram.bins,
    insideValue: values.inside,
    outsideValue: values.outside,
    histogram: {
      binIndex: otsu.binIndex,
      binMax: otsu.binMax,
      dataMin: otsu.histogram.dataMin,
      dataMax: otsu.histogram.dataMax,
      binMins: Array.from(otsu.histogram.binMins),
      binMaxs: Array.from(otsu.histogram.binMaxs),
      counts: Array.from(otsu.histogram.frequencies),
    },
    outputs,
  };
}

// The numbers of a segmentation report — threshold, voxel counts, foreground volume in ml from the
// voxel spacing — as one JSON-ready object shared by the HTML page, the PNG caption and `result.json`.
// Owns the arithmetic only; no drawing, no files.
import type { Image } from 'itk-wasm';
import { OtsuError } from '../errors.js';

export interface ReportFigures {
  /** The threshold as the Otsu step reports it (voxels above it are foreground). */
  threshold: number;
  /** Voxels of the mask that are non-zero. */
  foregroundVoxels: number;
  /** All voxels of the mask. */
  totalVoxels: number;
  /** foregroundVoxels / totalVoxels (0 for an empty image). */
  foregroundFraction: number;
  /** Volume of one voxel in ml (product of the spacing in mm / 1000); null for a 2-D image. */
  voxelVolumeMl: number | null;
  /** foregroundVoxels × voxelVolumeMl; null for a 2-D image. */
  foregroundVolumeMl: number | null;
  /** Size of the mask in voxels, fastest axis first. */
  size: number[];
  /** Voxel spacing in mm. */
  spacing: number[];
}

/**
 * Foreground voxels of `mask`: those equal to `foregroundValue`, or all non-zero ones when it is
 * undefined. Throws when the data is missing or does not match the size.
 */
export function countForeground(mask: Image, foregroundValue?: number, what = 'mask'): number {
  const data = mask.data;
  if (data === null) throw new OtsuError(`${what} has no pixel data`);
  const n = mask.size.reduce((a, b) => a * b, 1);
  if (data.length !== n * mask.imageType.components) {
    throw new OtsuError(`${what} has ${data.length} values but its size ${mask.size.join('×')} needs ${n}`);
  }
  let count = 0;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const fg = foregroundValue === undefined ? undefined : BigInt(foregroundValue);
    for (let i = 0; i < data.length; i++) if (fg === undefined ? data[i] !== 0n : data[i] === fg) count++;
  } else if (foregroundValue === undefined) {
    for (let i = 0; i < data.length; i++) if (data[i] !== 0) count++;
  } else {
    for (let i = 0; i < data.length; i++) if (data[i] === foregroundValue) count++;
  }
  return count;
}

/**
 * The report figures for `mask` (the binary result) and the `threshold` that produced it.
 * `foregroundValue`: the mask value that marks foreground (default: any non-zero value), e.g. the
 * "outside" value when the CLI was asked for other inside/outside values.
 */
export function computeFigures(mask: Image, threshold: number, foregroundValue?: number): ReportFigures {
  if (!Number.isFinite(threshold)) throw new OtsuError(`threshold must be a finite number, got ${threshold}`);
  if (mask.imageType.components !== 1) throw new OtsuError('mask must have one component per pixel');
  if (foregroundValue !== undefined && !Number.isFinite(foregroundValue)) {
    throw new OtsuError(`foreground value must be a finite number, got ${foregroundValue}`);
  }
  const foregroundVoxels = countForeground(mask, foregroundValue);
  const totalVoxels = mask.size.reduce((a, b) => a * b, 1);
  const is3d = mask.imageType.dimension >= 3;
  const voxelVolumeMl = is3d ? mask.spacing.slice(0, 3).reduce((a, b) => a * b, 1) / 1000 : null;
  return {
    threshold,
    foregroundVoxels,
    totalVoxels,
    foregroundFraction: totalVoxels === 0 ? 0 : foregroundVoxels / totalVoxels,
    voxelVolumeMl,
    foregroundVolumeMl: voxelVolumeMl === null ? null : foregroundVoxels * voxelVolumeMl,
    size: [...mask.size],
    spacing: [...mask.spacing],
  };
}

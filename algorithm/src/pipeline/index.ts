// Public API of the segmentation pipeline: one volume in, the five output files out.
export { segmentVolume, OUTPUT_FILES } from './segment-volume.js';
export type { SegmentOptions } from './segment-volume.js';
export type { SegmentationResult } from './result-json.js';
export { makeProgress } from './progress.js';
export type { Progress } from './progress.js';
export { checkOutputDir, seriesDirName, withStagingDir } from './staging-dir.js';

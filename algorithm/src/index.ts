// Entry point of the algorithm package: the Otsu filter, volume I/O, the pipeline, the operator mode
// and the CLI's main(), for programmatic use. The DICOM SEG writer and the report are re-exported from
// their own folders.
export * from './otsu/index.js';
export * from './volume/index.js';
export * from './pipeline/index.js';
export * from './operator/index.js';
export { main, USAGE, packageVersion } from './cli.js';
export { OtsuError, OtsuAggregateError, errorMessage } from './errors.js';

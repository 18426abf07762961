// The TypeScript NRRD reader lives in nrrd-read/; this path re-exports it for its importers.
export { readNrrdFast, readNrrdFastDetailed } from './nrrd-read/index.js';

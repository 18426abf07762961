// Public API of the volume I/O: reading DICOM series/files and NRRD/NIfTI into itk-wasm Images,
// the header scan behind the input checks, the mask Image and the atomic NRRD writer.
export { readVolumes, isImageFileName, scannedSourceHeaders } from './read-volume.js';
export type { Volume, VolumeSource, ReadOptions } from './read-volume.js';
export { scanDicomDirectory, scanDicomFile, checkSeriesConsistent } from './dicom-scan.js';
export type { DicomFileInfo, DicomSeries } from './dicom-scan.js';
export { writeNrrdAtomic } from './write-nrrd.js';
export { maskImage } from './mask-image.js';

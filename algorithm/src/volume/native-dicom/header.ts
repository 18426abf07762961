// The header summary: checks a parsed header against what the native reader reproduces (transfer
// syntax, SOP class, single-frame greyscale, no overlays or functional groups, native Pixel Data)
// and makes its SliceInfo. Files come with the header dicom-scan.ts parsed (nativeHeader): then
// only their pixel bytes are read.
import type dicomParser from 'dicom-parser';
import { rawString, decimals, uid, ushort } from './elements.js';
import { validCosines, readInPlaneSpacing, readSliceSpacing } from './geometry.js';
import { readInstanceNumber } from './order.js';
import { readPixelFormat, readRescale } from './pixel-type.js';
import type { SliceInfo } from './slice-info.js';

const TRANSFER_SYNTAXES: Record<string, { bigEndian: boolean }> = {
  '1.2.840.10008.1.2': { bigEndian: false }, // implicit VR little endian
  '1.2.840.10008.1.2.1': { bigEndian: false }, // explicit VR little endian
  '1.2.840.10008.1.2.2': { bigEndian: true }, // explicit VR big endian
  '1.2.840.10008.1.2.1.99': { bigEndian: false }, // deflated explicit VR little endian
};

/**
 * SOP classes whose geometry GDCM reads from the plain image plane attributes (with ITK's
 * SecondaryCaptureImagePlaneModule on), with the tag of their in-plane spacing. Others (enhanced
 * multi-frame, NM, RT Dose, US, …) take spacing/origin from elsewhere: declined.
 */
const SOP_CLASSES: Record<string, { spacingTags: string[] }> = {
  '1.2.840.10008.5.1.4.1.1.2': { spacingTags: ['x00280030'] }, // CT
  '1.2.840.10008.5.1.4.1.1.4': { spacingTags: ['x00280030'] }, // MR
  '1.2.840.10008.5.1.4.1.1.128': { spacingTags: ['x00280030'] }, // PET
  '1.2.840.10008.5.1.4.1.1.1': { spacingTags: ['x00181164'] }, // CR: Imager Pixel Spacing
  // Secondary Capture: Pixel Spacing when present, else Nominal Scanned Pixel Spacing
  '1.2.840.10008.5.1.4.1.1.7': { spacingTags: ['x00280030', 'x00182010'] },
};

const DEFLATED = '1.2.840.10008.1.2.1.99';

function hasOverlays(ds: dicomParser.DataSet): boolean {
  return Object.keys(ds.elements).some((t) => /^x60[0-9a-f]{2}/.test(t));
}

/**
 * The native (not encapsulated) Pixel Data element with at least `expectedBytes` bytes, in a VR whose
 * bytes GDCM reads as this reader does; undefined when anything is off. Its bytes are not checked to
 * be within the file here (see wholeFileSlice / nativeHeader).
 */
function pixelElement(
  ds: dicomParser.DataSet,
  expectedBytes: number,
  bigEndian: boolean,
  bitsAllocated: number,
): dicomParser.Element | undefined {
  const el = ds.elements['x7fe00010'];
  if (!el || el.encapsulatedPixelData || el.hadUndefinedLength || el.length < expectedBytes) return undefined;
  if (el.vr !== undefined && el.vr !== 'OB' && el.vr !== 'OW') return undefined;
  if (bigEndian) {
    // GDCM swaps OW in 16-bit words while reading and leaves OB alone: only those pairs match.
    const ok = (bitsAllocated === 16 && el.vr === 'OW') || (bitsAllocated === 8 && el.vr === 'OB');
    if (!ok) return undefined;
  }
  return el;
}

/**
 * A file's header checked against what this reader reproduces (from a header-only or a whole-file
 * parse: only elements before the pixel data are looked at); undefined when it is outside.
 */
export function sliceHeader(
  ds: dicomParser.DataSet,
  path: string,
): { info: SliceInfo; pixels: dicomParser.Element } | undefined {
  const ts = TRANSFER_SYNTAXES[uid(ds, 'x00020010') ?? ''];
  // MediaStorage::SetFromFile: SOP Class UID of the data set, else the meta header's.
  const sopClass = uid(ds, 'x00080016') || uid(ds, 'x00020002') || '';
  const sop = SOP_CLASSES[sopClass];
  if (!ts || !sop) return undefined;

  const rows = ushort(ds, 'x00280010');
  const columns = ushort(ds, 'x00280011');
  const samples = ds.elements['x00280002'] ? ushort(ds, 'x00280002') : 1;
  const photometric = rawString(ds, 'x00280004')?.replace(/[\0 ]+$/, '');
  const frames = rawString(ds, 'x00280008')
    ?.replace(/[\0 ]+$/, '')
    .trim();
  if (!rows || !columns || rows === 1 || columns === 1 || samples !== 1) return undefined;
  if (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2') return undefined;
  const invert = photometric === 'MONOCHROME1';
  if (frames !== undefined && frames !== '1') return undefined;
  if (ds.elements['x00280005'] || hasOverlays(ds)) return undefined;
  // Functional groups would take precedence in GDCM for geometry and rescale.
  if (ds.elements['x52009229'] || ds.elements['x52009230']) return undefined;

  const format = readPixelFormat(ds);
  const rescale = readRescale(ds);
  if (!format || !rescale) return undefined;
  // GDCM's DoInvertMonochrome has no 32-bit case.
  if (invert && format.bitsAllocated === 32) return undefined;

  const position = decimals(ds, 'x00200032', 3);
  const orientation = decimals(ds, 'x00200037', 6);
  if (position === undefined || orientation === undefined) return undefined;
  const cosines = orientation === 'absent' ? [1, 0, 0, 0, 1, 0] : orientation;
  // GDCM normalises invalid cosines (or falls back to identity): not reproduced.
  if (!validCosines(cosines)) return undefined;

  const inPlane = readInPlaneSpacing(ds, sop.spacingTags);
  const sliceSpacing = readSliceSpacing(ds);
  if (!inPlane || sliceSpacing === undefined) return undefined;

  const pixels = pixelElement(ds, rows * columns * (format.bitsAllocated / 8), ts.bigEndian, format.bitsAllocated);
  if (!pixels) return undefined;

  const info: SliceInfo = {
    path,
    sopClass,
    rows,
    columns,
    format,
    intercept: rescale.intercept,
    slope: rescale.slope,
    position: position === 'absent' ? [0, 0, 0] : position,
    instanceNumber: readInstanceNumber(ds),
    orientation: cosines,
    spacing: [inPlane[0], inPlane[1], sliceSpacing],
    seriesKey: (rawString(ds, 'x0020000e') ?? '').replace(/[^.0-9A-Za-z]/g, ''),
    pixelKey: JSON.stringify([sopClass, rows, columns, format, photometric, rescale]),
    bigEndian: ts.bigEndian,
    invert,
  };
  return { info, pixels };
}

/**
 * What the native reader needs of one file, worked out by dicom-scan.ts from the header it parsed
 * (parseDicom up to the Pixel Data tag), so the reader reads only the pixel bytes: 'slice' with the
 * pixel bytes' place in the file, or 'decline' when the file is outside what this reader reproduces.
 */
export type NativeHeader =
  { kind: 'slice'; info: SliceInfo; fileSize: number; pixelOffset: number } | { kind: 'decline' };

/**
 * The native header of a file from its header-only parse (`ds`, of a file of `fileSize` bytes), or
 * undefined when only a whole-file parse decides (deflated, or anything after the pixel data: the
 * reader then reads and parses the file itself). `prefix`: made-up bytes before the file's own in
 * `ds` (dicom-parse.ts, files without preamble). Otherwise the whole-file parse would hold the same
 * elements up to and including the Pixel Data element, and nothing after it.
 */
export function nativeHeader(
  ds: dicomParser.DataSet,
  path: string,
  fileSize: number,
  prefix = 0,
): NativeHeader | undefined {
  if (uid(ds, 'x00020010') === DEFLATED) return undefined;
  const el = ds.elements['x7fe00010'];
  if (el && !el.hadUndefinedLength && el.dataOffset - prefix + el.length !== fileSize) return undefined;
  const slice = sliceHeader(ds, path);
  if (!slice) return { kind: 'decline' };
  return { kind: 'slice', info: slice.info, fileSize, pixelOffset: slice.pixels.dataOffset - prefix };
}

// Writes the DICOM Segmentation object (one binary segment) for a mask computed on a DICOM series or
// a multi-frame DICOM file: Segmentation IOD (PS3.3 A.51) with the Multi-frame Functional Groups,
// one Plane Position per frame and a Derivation Image reference to the source instance (and frame)
// per frame, so unevenly spaced, oblique and multi-frame sources are described as they are. Patient,
// study and Frame of Reference are copied from the first source instance (bytes unchanged, with its
// Specific Character Set). The bytes come from dicom-writer.ts (no WebAssembly: the dcmqi pipeline
// this replaces compiled a 20 MB module per run). This module owns the SEG's content, the input
// checks, the explicit "skipped" results and the atomic write; it does not read images or compute
// the mask. A source that a SEG cannot describe (no Frame of Reference, slices sharing one position,
// …) is an OtsuError naming the file, which the pipeline turns into a warning and `seg.status`.
import { resolve } from 'node:path';
import type dicomParser from 'dicom-parser';
import type { Image } from 'itk-wasm';
import { OtsuError } from '../errors.js';
import { writeFileAtomic } from '../atomic-write.js';
import { newUuidUid } from '../random-bytes.js';
import { encodePart10, type DataSet, type Element } from './dicom-writer.js';
import { checkSegDescription, type SegDescription } from './seg-metadata.js';
import { codesForLabel, type DicomCode } from './segment-codes.js';
import { readSourceSeries, type SourceSeries } from './source-frames.js';

/** Options of {@link writeDicomSeg}. Only `mask`, `sourceFiles` and `outputFile` are required. */
export interface WriteDicomSegOptions {
  /**
   * Binary mask on the grid of the source (itk-wasm `Image`, 2-D or 3-D, one component): any non-zero
   * voxel is foreground. Slice k belongs to the k-th source file along the mask's slice axis (a series
   * of single-frame files) or to frame k+1 of the one multi-frame file.
   */
  mask: Image;
  /**
   * The source DICOM files (any order; e.g. `sortedFilenames` of the reader). `undefined` or empty means
   * the input had no DICOM source (NRRD/NIfTI): the SEG is then skipped, see {@link WriteDicomSegResult}.
   */
  sourceFiles: readonly string[] | undefined;
  /**
   * Headers of source files already parsed (the reader's scan: `scannedSourceHeaders`), by absolute
   * path; the other files' headers are read here.
   */
  sourceHeaders?: ReadonlyMap<string, dicomParser.DataSet>;
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
  codes?: SegDescription['codes'];
  /** Recommended display colour (sRGB). Default red `[255, 0, 0]`, the report's overlay colour. */
  color?: readonly [number, number, number];
  /** Any other part of the description (e.g. from a dcmqi/Kaapana metadata JSON); wins over the above. */
  description?: Partial<SegDescription>;
  /** Leave frames without foreground out of the SEG (dcmqi's `--skip`). Default false: one frame per slice. */
  skipEmptySlices?: boolean;
  /** Software Versions of the SEG. Default "0". */
  softwareVersion?: string;
}

/**
 * Outcome of {@link writeDicomSeg}. A SEG is an optional product: when it cannot exist for want of
 * input the result says why instead of throwing.
 * - `no-source-series`: the input was not DICOM (NRRD/NIfTI) and no source series was given.
 * - `empty-mask`: no foreground voxel; a SEG segment cannot be empty, so nothing is written.
 */
export type WriteDicomSegResult =
  | {
      status: 'written';
      file: string;
      bytes: number;
      foregroundVoxels: number;
      referencedFiles: number;
      frames: number;
    }
  | { status: 'skipped'; reason: 'no-source-series' | 'empty-mask'; message: string };

const DEFAULTS = {
  label: 'abdomen',
  seriesDescription: "Otsu's method",
  seriesNumber: 900,
  instanceNumber: 1,
  algorithmType: 'AUTOMATIC' as const,
  algorithmName: 'Otsu',
  contentCreatorName: 'kaapana-otsu^',
  color: [255, 0, 0] as const,
};

const SEG_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';
const IMPLEMENTATION_CLASS_UID = '2.25.282134676195345862795621322453631971928';

const newUid = newUuidUid;

/** A DS value (≤16 characters). */
export function ds(n: number): string {
  if (Object.is(n, -0)) return '0';
  let s = String(n);
  for (let p = 16; s.length > 16 && p > 0; p--) s = n.toPrecision(p).replace(/\.?0+(e|$)/, '$1');
  return s;
}

/** sRGB 0..255 → DICOM's scaled CIELab (PS3.3 C.10.7.1.1; D65), as dcmqi's converter does. */
export function rgbToDicomLab([r, g, b]: readonly [number, number, number]): number[] {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const [R, G, B] = [lin(r), lin(g), lin(b)];
  const x = (0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / 0.95047;
  const y = 0.2126729 * R + 0.7151522 * G + 0.072175 * B;
  const z = (0.0193339 * R + 0.119192 * G + 0.9503041 * B) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const L = 116 * f(y) - 16;
  const a = 500 * (f(x) - f(y));
  const bb = 200 * (f(y) - f(z));
  const clamp = (v: number) => Math.min(65535, Math.max(0, Math.round(v)));
  return [clamp((L * 65535) / 100), clamp(((a + 128) * 65535) / 255), clamp(((bb + 128) * 65535) / 255)];
}

function code(c: DicomCode, extra: Element[] = []): DataSet {
  // SH holds 16 characters; longer code values go into Long Code Value (UC).
  const value: Element = c.CodeValue.length <= 16 ? [0x00080100, 'SH', c.CodeValue] : [0x00080119, 'UC', c.CodeValue];
  return [value, [0x00080102, 'SH', c.CodingSchemeDesignator], [0x00080104, 'LO', c.CodeMeaning], ...extra];
}

/** The raw bytes of a top-level element of the source header (copied unchanged), if present. */
function raw(h: dicomParser.DataSet, tag: number): Uint8Array | undefined {
  const el = h.elements[`x${tag.toString(16).padStart(8, '0')}`];
  if (!el) return undefined;
  const bytes = h.byteArray.subarray(el.dataOffset, el.dataOffset + el.length);
  return bytes.length === 0 ? undefined : bytes;
}

/** Source attributes copied into the SEG: [tag, VR, type] (type 2: written empty when absent). */
const COPIED: [number, string, 1 | 2 | 3][] = [
  [0x00080005, 'CS', 3], // Specific Character Set
  [0x00080020, 'DA', 2], // Study Date
  [0x00080030, 'TM', 2], // Study Time
  [0x00080050, 'SH', 2], // Accession Number
  [0x00080090, 'PN', 2], // Referring Physician's Name
  [0x00081030, 'LO', 3], // Study Description
  [0x00100010, 'PN', 2], // Patient's Name
  [0x00100020, 'LO', 2], // Patient ID
  [0x00100030, 'DA', 2], // Patient's Birth Date
  [0x00100040, 'CS', 2], // Patient's Sex
  [0x0020000d, 'UI', 1], // Study Instance UID
  [0x00200010, 'SH', 2], // Study ID
  [0x00201040, 'LO', 2], // Position Reference Indicator
];

function copied(src: SourceSeries): Element[] {
  const out: Element[] = [];
  for (const [tag, vr, type] of COPIED) {
    const bytes = raw(src.header, tag);
    if (bytes) out.push([tag, vr, bytes]);
    else if (type === 2) out.push([tag, vr, '']);
    else if (type === 1) {
      throw new OtsuError(
        `the source has no (${tag
          .toString(16)
          .padStart(8, '0')
          .replace(/^(....)/, '$1,')}): a SEG must copy it`,
        {
          file: src.file,
        },
      );
    }
  }
  return out;
}

/** Mask as 0/1 bytes per voxel with its slice geometry; validates the Image. */
function maskSlices(mask: Image): {
  bits: Uint8Array;
  columns: number;
  rows: number;
  depth: number;
  foreground: number;
} {
  const { imageType, size, data } = mask;
  if (data === null) throw new OtsuError('mask has no pixel data');
  if (imageType.components !== 1)
    throw new OtsuError(`mask must have one component per pixel, it has ${imageType.components}`);
  if (imageType.dimension !== 2 && imageType.dimension !== 3) {
    throw new OtsuError(`mask must be 2-D or 3-D, it is ${imageType.dimension}-D`);
  }
  const n = size.reduce((a, b) => a * b, 1);
  if (data.length !== n)
    throw new OtsuError(`mask has ${data.length} values but its size ${size.join('×')} needs ${n}`);
  const bits = new Uint8Array(n);
  let foreground = 0;
  for (let i = 0; i < n; i++) {
    if (Number(data[i]) !== 0) {
      bits[i] = 1;
      foreground++;
    }
  }
  return { bits, columns: size[0]!, rows: size[1]!, depth: size[2] ?? 1, foreground };
}

/** Frames `slices` of `bits` packed one bit per pixel, LSB first, continuously across frames. */
function packFrames(bits: Uint8Array, frameSize: number, slices: number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil((frameSize * slices.length) / 8));
  let bit = 0;
  for (const k of slices) {
    const start = k * frameSize;
    for (let p = 0; p < frameSize; p++, bit++) if (bits[start + p]) out[bit >> 3]! |= 1 << (bit & 7);
  }
  return out;
}

/**
 * The mask must lie on the source's grid: its first slice at the first source frame's position and
 * (3-D) its row and column directions those of Image Orientation (Patient). Otherwise the frames would
 * be placed where the mask's voxels are not.
 */
function checkOnSourceGrid(mask: Image, src: SourceSeries): void {
  const origin = Array.from(mask.origin, Number);
  const first = src.frames[0]!.position;
  const off = Math.hypot(...first.map((v, i) => v - (origin[i] ?? 0)));
  const d = Array.from(mask.direction as ArrayLike<number>, Number);
  const o = src.orientation;
  // itk-wasm's direction is row-major: axis j is (d[j], d[3 + j], d[6 + j]).
  const turned =
    mask.imageType.dimension === 3 &&
    [0, 1].some((j) => [0, 1, 2].some((i) => Math.abs(d[i * 3 + j]! - o[j * 3 + i]!) > 1e-3));
  if ((origin.length === 3 && off > 1e-3) || turned) {
    throw new OtsuError(
      `the mask's geometry (origin ${origin.join(', ')}, direction ${d.join(', ')}) does not match the source: its first ` +
        `frame is at ${first.join('\\')} with orientation ${o.join('\\')}`,
      { file: src.file },
    );
  }
}

function nowDicom(): { date: string; time: string } {
  const d = new Date();
  const p = (v: number, w = 2) => String(v).padStart(w, '0');
  return {
    date: `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`,
    time: `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`,
  };
}

/** The SEG attributes: the options over the defaults, checked. */
function segDescriptionOf(options: WriteDicomSegOptions): SegDescription {
  const label = options.description?.label ?? options.label ?? DEFAULTS.label;
  return checkSegDescription({
    label,
    seriesDescription: options.seriesDescription ?? DEFAULTS.seriesDescription,
    seriesNumber: options.seriesNumber ?? DEFAULTS.seriesNumber,
    instanceNumber: DEFAULTS.instanceNumber,
    algorithmType: DEFAULTS.algorithmType,
    algorithmName: options.algorithmName ?? DEFAULTS.algorithmName,
    contentCreatorName: options.contentCreatorName ?? DEFAULTS.contentCreatorName,
    codes: options.codes ?? codesForLabel(label),
    color: options.color ?? DEFAULTS.color,
    ...options.description,
  });
}

/** Per-frame functional groups: the source image, the dimension index and the position of each frame. */
function perFrameGroups(src: SourceSeries, slices: number[], segmentCode: DataSet): DataSet[] {
  return slices.map((k, index) => {
    const f = src.frames[k]!;
    const sourceImage: Element[] = [
      [0x00081150, 'UI', f.sopClassUid],
      [0x00081155, 'UI', f.sopInstanceUid],
      [
        0x0040a170,
        'SQ',
        [
          code({
            CodeValue: '121322',
            CodingSchemeDesignator: 'DCM',
            CodeMeaning: 'Source image for image processing operation',
          }),
        ],
      ],
    ];
    if (f.frameNumber !== undefined) sourceImage.push([0x00081160, 'IS', String(f.frameNumber)]);
    return [
      [
        0x00089124,
        'SQ',
        [
          [
            [0x00082112, 'SQ', [sourceImage]],
            [
              0x00089215,
              'SQ',
              [code({ CodeValue: '113076', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Segmentation' })],
            ],
          ],
        ],
      ],
      [0x00209111, 'SQ', [[[0x00209157, 'UL', [1, index + 1]]]]],
      [0x00209113, 'SQ', [[[0x00200032, 'DS', f.position.map(ds).join('\\')]]]],
      [0x0062000a, 'SQ', [segmentCode]],
    ];
  });
}

/** Dimension Organization and Dimension Index: segment number, then image position. */
function dimensionElements(dimensionOrganizationUid: string): Element[] {
  return [
    [0x00209221, 'SQ', [[[0x00209164, 'UI', dimensionOrganizationUid]]]],
    [
      0x00209222,
      'SQ',
      [
        [
          [0x00209164, 'UI', dimensionOrganizationUid],
          [0x00209165, 'AT', [0x0062000b]],
          [0x00209167, 'AT', [0x0062000a]],
          [0x00209421, 'LO', 'ReferencedSegmentNumber'],
        ],
        [
          [0x00209164, 'UI', dimensionOrganizationUid],
          [0x00209165, 'AT', [0x00200032]],
          [0x00209167, 'AT', [0x00209113]],
          [0x00209421, 'LO', 'ImagePositionPatient'],
        ],
      ],
    ],
  ];
}

/** The one segment: codes, label, algorithm, colour. */
function segmentSequence(d: SegDescription, typeCode: DataSet): Element {
  return [
    0x00620002,
    'SQ',
    [
      [
        [0x00620003, 'SQ', [code(d.codes.category)]],
        [0x00620004, 'US', [1]],
        [0x00620005, 'LO', d.label],
        [0x00620006, 'ST', d.label],
        [0x00620008, 'CS', d.algorithmType],
        ...(d.algorithmType === 'MANUAL' ? [] : [[0x00620009, 'LO', d.algorithmName] as Element]),
        [0x0062000d, 'US', rgbToDicomLab(d.color)],
        [0x0062000f, 'SQ', [typeCode]],
      ],
    ],
  ];
}

/** The mask on its source's frames: 0/1 voxels, frame geometry, the source and the frames to write. */
interface SegFrames {
  bits: Uint8Array;
  rows: number;
  columns: number;
  frameSize: number;
  foreground: number;
  src: SourceSeries;
  /** Mask slices written as frames, in order (all of them unless empty ones are skipped). */
  slices: number[];
}

/** Reads the source series behind `options.mask` and checks that the mask lies on its grid. */
function segFrames(
  options: WriteDicomSegOptions,
  sourceFiles: readonly string[],
  mask: ReturnType<typeof maskSlices>,
): SegFrames {
  const { bits, columns, rows, depth, foreground } = mask;
  const files = sourceFiles.map((f) => resolve(f));
  const dir = Array.from(options.mask.direction as ArrayLike<number>, Number);
  // itk-wasm's direction is row-major: the slice axis is (d[2], d[5], d[8]).
  const axis = dir.length === 9 ? [dir[2]!, dir[5]!, dir[8]!] : undefined;
  const src = readSourceSeries(files, depth, axis, options.sourceHeaders);
  checkOnSourceGrid(options.mask, src);
  const frameSize = rows * columns;
  const slices = [...Array(depth).keys()].filter((k) => {
    if (!options.skipEmptySlices) return true;
    for (let p = k * frameSize; p < (k + 1) * frameSize; p++) if (bits[p]) return true;
    return false;
  });
  return { bits, rows, columns, frameSize, foreground, src, slices };
}

/** The UIDs and time a SEG is created with. */
interface SegInstance {
  sopInstanceUid: string;
  dimensionOrganizationUid: string;
  date: string;
  time: string;
}

/** Patient, study, series, equipment and instance: the source's attributes and the SEG's own. */
function instanceElements(
  d: SegDescription,
  f: SegFrames,
  id: SegInstance,
  softwareVersion: string | undefined,
): Element[] {
  const { src } = f;
  const { date, time } = id;
  const bodyPart = d.bodyPartExamined ?? raw(src.header, 0x00180015);
  const referencedInstances = src.instances.map(
    (i) =>
      [
        [0x00081150, 'UI', i.sopClassUid],
        [0x00081155, 'UI', i.sopInstanceUid],
      ] as DataSet,
  );
  return [
    ...copied(src),
    [0x00080008, 'CS', 'DERIVED\\PRIMARY'],
    [0x00080012, 'DA', date],
    [0x00080013, 'TM', time],
    [0x00080016, 'UI', SEG_STORAGE],
    [0x00080018, 'UI', id.sopInstanceUid],
    [0x00080021, 'DA', date],
    [0x00080023, 'DA', date],
    [0x00080031, 'TM', time],
    [0x00080033, 'TM', time],
    [0x00080060, 'CS', 'SEG'],
    [0x00080070, 'LO', 'kaapana-ext'],
    [0x0008103e, 'LO', d.seriesDescription],
    [0x00081090, 'LO', 'kaapana-otsu'],
    [
      0x00081115,
      'SQ',
      [
        [
          [0x0008114a, 'SQ', referencedInstances],
          [0x0020000e, 'UI', src.seriesInstanceUid],
        ],
      ],
    ],
    ...(bodyPart !== undefined ? [[0x00180015, 'CS', bodyPart] as Element] : []),
    [0x00181000, 'LO', 'none'],
    [0x00181020, 'LO', softwareVersion ?? '0'],
    [0x0020000e, 'UI', newUid()],
    [0x00200011, 'IS', String(d.seriesNumber)],
    [0x00200013, 'IS', String(d.instanceNumber)],
    [0x00200052, 'UI', src.frameOfReferenceUid],
  ];
}

/** Image pixel description (1-bit binary frames), the segment, and the functional groups with the pixels. */
function segmentationElements(d: SegDescription, f: SegFrames, spacing: number[]): Element[] {
  const { src, slices } = f;
  const segmentCode = [[0x0062000b, 'US', [1]] as Element];
  const typeCode = code(d.codes.type, d.codes.typeModifier ? [[0x00620011, 'SQ', [code(d.codes.typeModifier)]]] : []);
  const pixelMeasures: Element[] = [
    [0x00280030, 'DS', `${ds(spacing[1] ?? 1)}\\${ds(spacing[0] ?? 1)}`],
    [0x00180050, 'DS', ds(src.sliceThickness ?? spacing[2] ?? 1)],
  ];
  return [
    [0x00280002, 'US', [1]],
    [0x00280004, 'CS', 'MONOCHROME2'],
    [0x00280008, 'IS', String(slices.length)],
    [0x00280010, 'US', [f.rows]],
    [0x00280011, 'US', [f.columns]],
    [0x00280100, 'US', [1]],
    [0x00280101, 'US', [1]],
    [0x00280102, 'US', [0]],
    [0x00280103, 'US', [0]],
    [0x00282110, 'CS', '00'],
    [0x00620001, 'CS', 'BINARY'],
    segmentSequence(d, typeCode),
    [0x00700080, 'CS', 'SEGMENTATION'],
    [0x00700081, 'LO', d.seriesDescription],
    [0x00700084, 'PN', d.contentCreatorName],
    [
      0x52009229,
      'SQ',
      [
        [
          [0x00209116, 'SQ', [[[0x00200037, 'DS', src.orientation.map(ds).join('\\')]]]],
          [0x00289110, 'SQ', [pixelMeasures]],
        ],
      ],
    ],
    [0x52009230, 'SQ', perFrameGroups(src, slices, segmentCode)],
    [0x7fe00010, 'OB', packFrames(f.bits, f.frameSize, slices)],
  ];
}

/** The SEG file's bytes: File Meta and the data set. */
function encodeSeg(d: SegDescription, f: SegFrames, options: WriteDicomSegOptions): Uint8Array {
  const { date, time } = nowDicom();
  const id: SegInstance = { sopInstanceUid: newUid(), dimensionOrganizationUid: newUid(), date, time };
  const dataset: Element[] = [
    ...instanceElements(d, f, id, options.softwareVersion),
    ...dimensionElements(id.dimensionOrganizationUid),
    ...segmentationElements(d, f, Array.from(options.mask.spacing, Number)),
  ];
  return encodePart10(dataset, {
    sopClassUid: SEG_STORAGE,
    sopInstanceUid: id.sopInstanceUid,
    implementationClassUid: IMPLEMENTATION_CLASS_UID,
    implementationVersionName: 'KAAPANA-OTSU',
  });
}

/**
 * Write a single-segment DICOM SEG for `mask` that references its source. Throws an OtsuError for bad
 * input (unreadable source, malformed mask, invalid text) and for sources a SEG cannot describe; in
 * every failure case nothing is written at `outputFile`.
 */
export async function writeDicomSeg(options: WriteDicomSegOptions): Promise<WriteDicomSegResult> {
  const d = segDescriptionOf(options);
  if (options.sourceFiles === undefined || options.sourceFiles.length === 0) {
    return {
      status: 'skipped',
      reason: 'no-source-series',
      message: 'DICOM SEG skipped: the input is not a DICOM series and no source series was given',
    };
  }
  const mask = maskSlices(options.mask);
  if (mask.foreground === 0) {
    return {
      status: 'skipped',
      reason: 'empty-mask',
      message: 'DICOM SEG skipped: the mask has no foreground voxel and a SEG segment cannot be empty',
    };
  }
  const frames = segFrames(options, options.sourceFiles, mask);
  const bytes = encodeSeg(d, frames, options);
  const outputFile = resolve(options.outputFile);
  writeFileAtomic(outputFile, bytes);
  return {
    status: 'written',
    file: outputFile,
    bytes: bytes.length,
    foregroundVoxels: frames.foreground,
    referencedFiles: frames.src.instances.length,
    frames: frames.slices.length,
  };
}

// What a SEG needs to know about its source: for every slice of the mask, the source instance (and
// frame) it was read from and that slice's position in the patient, plus the orientation, the Frame
// of Reference and the patient/study attributes to copy. Read from the source headers (dicom-scan's
// header reader: only the first bytes of each file). Slice k of the mask is sortedFiles[k] for a
// series of single-frame files (the order the reader stacked them in), or frame k+1 of a multi-frame
// file. Multi-frame positions come from the Per-frame Functional Groups' Plane Position (enhanced
// objects) or from Image Position + Grid Frame Offset Vector (RT Dose, PS3.3 C.8.8.3.2). Throws an
// OtsuError naming the file when no SEG can describe the source (no Frame of Reference, no
// positions, slices sharing a position, a slice count that does not match the mask).
import type dicomParser from 'dicom-parser';
import { OtsuError } from '../errors.js';
import { readHeader } from '../volume/dicom-scan.js';

export interface SourceFrame {
  sopClassUid: string;
  sopInstanceUid: string;
  /** 1-based frame of a multi-frame source instance. */
  frameNumber?: number;
  position: [number, number, number];
}

export interface SourceSeries {
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  /** Image Orientation (Patient), six cosines. */
  orientation: number[];
  /** Slice Thickness of the first instance, when it has a positive one. */
  sliceThickness?: number;
  frames: SourceFrame[];
  /** Every referenced instance once, in slice order. */
  instances: { sopClassUid: string; sopInstanceUid: string }[];
  /** The first instance's header, for the attributes a SEG copies. */
  header: dicomParser.DataSet;
  file: string;
}

function str(ds: dicomParser.DataSet, tag: string): string | undefined {
  const v = ds.string(tag);
  return v === undefined || v === '' ? undefined : v.replace(/\0+$/, '').trim();
}

function nums(ds: dicomParser.DataSet | undefined, tag: string, count: number): number[] | undefined {
  const v = ds && str(ds, tag);
  if (v === undefined) return undefined;
  const parts = v.split('\\').map((x) => Number(x.trim()));
  if (parts.length !== count || parts.some((x) => !Number.isFinite(x))) return undefined;
  return parts;
}

function item(ds: dicomParser.DataSet | undefined, tag: string, index = 0): dicomParser.DataSet | undefined {
  return ds?.elements[tag]?.items?.[index]?.dataSet;
}

const add = (p: number[], d: number[], s: number): [number, number, number] => [
  p[0]! + d[0]! * s,
  p[1]! + d[1]! * s,
  p[2]! + d[2]! * s,
];

function normal(o: number[]): number[] {
  return [o[1]! * o[5]! - o[2]! * o[4]!, o[2]! * o[3]! - o[0]! * o[5]!, o[0]! * o[4]! - o[1]! * o[3]!];
}

/** Positions of the frames of one multi-frame instance. */
function multiFramePositions(
  ds: dicomParser.DataSet,
  frames: number,
  orientation: number[],
  file: string,
): [number, number, number][] {
  const perFrame = ds.elements['x52009230']?.items;
  if (perFrame && perFrame.length === frames) {
    return perFrame.map((it, k) => {
      const p = nums(item(it.dataSet, 'x00209113'), 'x00200032', 3);
      if (!p) throw new OtsuError(`frame ${k + 1} has no Plane Position (Patient) in its functional groups`, { file });
      return p as [number, number, number];
    });
  }
  const position = nums(ds, 'x00200032', 3);
  const offsets = str(ds, 'x3004000c')?.split('\\').map(Number);
  if (position && offsets && offsets.length === frames && offsets.every(Number.isFinite)) {
    const n = normal(orientation);
    if (offsets[0] === 0) return offsets.map((o) => add(position, n, o));
    // Absolute z coordinates: only defined for axial frames (orientation 1\0\0\0\1\0).
    if (orientation.every((v, i) => Math.abs(v - [1, 0, 0, 0, 1, 0][i]!) < 1e-6)) {
      return offsets.map((z) => [position[0]!, position[1]!, z]);
    }
  }
  throw new OtsuError(
    `multi-frame source without per-frame positions (no Plane Position functional groups, no Grid Frame Offset Vector): a SEG cannot place its ${frames} frames`,
    { file },
  );
}

type SourceHeader = { file: string; ds: dicomParser.DataSet };

/** The parsed header of every source file; an unreadable one is an OtsuError naming it. */
function readSourceHeaders(
  files: readonly string[],
  parsed?: ReadonlyMap<string, dicomParser.DataSet>,
): SourceHeader[] {
  return files.map((f) => {
    try {
      return { file: f, ds: parsed?.get(f) ?? readHeader(f).parsed.ds };
    } catch (e) {
      if (e instanceof OtsuError) throw e;
      throw new OtsuError('source DICOM file is missing or unreadable', { file: f }, { cause: e });
    }
  });
}

/** The Frame of Reference UID and the slice orientation of the source (single- or multi-frame). */
function sourcePlacement(
  ds: dicomParser.DataSet,
  file: string,
): { frameOfReferenceUid: string; orientation: number[] } {
  const frameOfReferenceUid = str(ds, 'x00200052');
  if (!frameOfReferenceUid) {
    throw new OtsuError(
      'the source has no Frame of Reference UID (0020,0052): a SEG cannot place its frames in the patient',
      {
        file,
      },
    );
  }
  const shared = item(ds, 'x52009229');
  const orientation =
    nums(ds, 'x00200037', 6) ??
    nums(item(shared, 'x00209116'), 'x00200037', 6) ??
    nums(item(item(ds, 'x52009230'), 'x00209116'), 'x00200037', 6);
  if (!orientation) {
    throw new OtsuError('the source has no Image Orientation (Patient): a SEG cannot place its frames', { file });
  }
  return { frameOfReferenceUid, orientation };
}

/** Every frame of the source (with its instance and position) and every instance, in file order. */
function sourceFrames(
  headers: SourceHeader[],
  orientation: number[],
): { frames: SourceFrame[]; instances: SourceSeries['instances'] } {
  const frames: SourceFrame[] = [];
  const instances: SourceSeries['instances'] = [];
  for (const h of headers) {
    const sopClassUid = str(h.ds, 'x00080016') ?? str(h.ds, 'x00020002');
    const sopInstanceUid = str(h.ds, 'x00080018') ?? str(h.ds, 'x00020003');
    if (!sopClassUid || !sopInstanceUid) {
      throw new OtsuError('the source instance has no SOP Class/Instance UID: a SEG cannot reference it', {
        file: h.file,
      });
    }
    instances.push({ sopClassUid, sopInstanceUid });
    const count = Number.parseInt(str(h.ds, 'x00280008') ?? '1', 10) || 1;
    if (count > 1 || h.ds.elements['x52009230']) {
      if (headers.length > 1) {
        throw new OtsuError('multi-frame file in a series: a SEG cannot reference it', { file: h.file });
      }
      multiFramePositions(h.ds, count, orientation, h.file).forEach((position, k) =>
        frames.push({ sopClassUid, sopInstanceUid, frameNumber: k + 1, position }),
      );
    } else {
      const position = nums(h.ds, 'x00200032', 3);
      if (!position) {
        throw new OtsuError('the source has no Image Position (Patient): a SEG cannot place its frame', {
          file: h.file,
        });
      }
      frames.push({ sopClassUid, sopInstanceUid, position: position as [number, number, number] });
    }
  }
  return { frames, instances };
}

/** Per-frame positions must tell the frames apart (e.g. mosaic images all share one position). */
function checkDistinctPositions(frames: SourceFrame[], orientation: number[], headers: SourceHeader[]): void {
  const n = normal(orientation);
  const along = frames.map((f) => f.position[0] * n[0]! + f.position[1] * n[1]! + f.position[2] * n[2]!);
  for (let i = 0; i < frames.length; i++) {
    for (let j = i + 1; j < frames.length; j++) {
      const a = frames[i]!.position;
      const b = frames[j]!.position;
      if (Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) < 1e-4 || Math.abs(along[i]! - along[j]!) < 1e-4) {
        throw new OtsuError(
          `slices ${i + 1} and ${j + 1} of the source lie at one position (${a.join('\\')}): a SEG stores one position per frame and cannot tell them apart`,
          { file: headers.length > 1 ? headers[j]!.file : headers[0]!.file },
        );
      }
    }
  }
}

/**
 * The source of a mask with `depth` slices. `files`: one multi-frame file, or single-frame files in
 * any order; they are put in the mask's slice order, along `sliceAxis` (the mask's third direction).
 */
export function readSourceSeries(
  files: readonly string[],
  depth: number,
  sliceAxis?: readonly number[],
  parsed?: ReadonlyMap<string, dicomParser.DataSet>,
): SourceSeries {
  const headers = readSourceHeaders(files, parsed);
  const { ds, file } = headers[0]!;
  const { frameOfReferenceUid, orientation } = sourcePlacement(ds, file);
  const { frames, instances } = sourceFrames(headers, orientation);
  if (sliceAxis && headers.length > 1) {
    const along = (p: number[]) => p[0]! * sliceAxis[0]! + p[1]! * sliceAxis[1]! + p[2]! * sliceAxis[2]!;
    const order = frames.map((f, i) => ({ f, i, at: along(f.position) })).sort((a, b) => a.at - b.at || a.i - b.i);
    frames.splice(0, frames.length, ...order.map((o) => o.f));
    instances.splice(0, instances.length, ...order.map((o) => instances[o.i]!));
  }
  if (frames.length !== depth) {
    throw new OtsuError(`the mask has ${depth} slice(s) but the source has ${frames.length} frame(s)`, { file });
  }
  checkDistinctPositions(frames, orientation, headers);
  const measures = item(item(ds, 'x52009229'), 'x00289110');
  const thickness = Number(str(ds, 'x00180050') ?? (measures && str(measures, 'x00180050')) ?? 'NaN');
  return {
    seriesInstanceUid: str(ds, 'x0020000e') ?? '',
    frameOfReferenceUid,
    orientation,
    ...(thickness > 0 ? { sliceThickness: thickness } : {}),
    frames,
    instances,
    header: ds,
    file,
  };
}

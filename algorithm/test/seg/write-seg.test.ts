// DICOM SEG writer against real DICOM (pydicom's 5-slice CT, see fixtures/PROVENANCE.md): the SEG
// must pass dicom3tools' dciodvfy without errors, and dcmtk's reading of it must show the mask
// bit for bit, with every frame pointing at the source instance at its position.
import { readdir, stat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageDicomFileSeriesNode } from '@itk-wasm/dicom';
import type { Image } from 'itk-wasm';
import { OtsuError } from '../../src/errors.js';
import { writeDicomSeg, codesForLabel } from '../../src/seg/index.js';
import { dciodvfy, dcm2json, first, inlineBinary, value, type DicomJson } from './dicom-json.js';

const fixtureDir = fileURLToPath(new URL('./fixtures/ct5n/', import.meta.url));
const SEG_STORAGE = '1.2.840.10008.5.1.4.1.1.66.4';

interface SourceSlice {
  file: string;
  sopInstanceUid: string;
  position: number[];
}

let work: string;
let files: string[];
let source: Image;
let slices: SourceSlice[]; // in ITK's slice order (index k of the volume)
let sourceTags: DicomJson;

/** Mask from the real pixel values; slice 1 deliberately left empty. */
function makeMask(img: Image): Image {
  const data = img.data!;
  const [nx, ny] = img.size as [number, number, number];
  const m = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) m[i] = Number(data[i]) > -400 ? 1 : 0;
  m.fill(0, nx * ny, 2 * nx * ny);
  return { ...img, imageType: { ...img.imageType, componentType: 'uint8' }, data: m, metadata: new Map() } as Image;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kx-seg-test-'));
  files = (await readdir(fixtureDir)).filter((f) => /^\d+$/.test(f)).map((f) => join(fixtureDir, f));
  const read = await readImageDicomFileSeriesNode({ inputImages: files, singleSortedSeries: false });
  source = read.outputImage;
  const sorted = read.sortedFilenames as string[];
  slices = [];
  for (const file of sorted) {
    const ds = await dcm2json(file);
    slices.push({
      file,
      sopInstanceUid: first(ds, '00080018') as string,
      position: value(ds, '00200032') as number[],
    });
  }
  sourceTags = await dcm2json(sorted[0]!);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Unpacks the 1-bit frames (bits packed LSB first, continuously across frames). */
function frameBits(ds: DicomJson): { rows: number; cols: number; frames: Uint8Array[] } {
  const rows = first(ds, '00280010') as number;
  const cols = first(ds, '00280011') as number;
  const n = Number(first(ds, '00280008'));
  const bytes = inlineBinary(ds, '7FE00010');
  const frames: Uint8Array[] = [];
  for (let f = 0; f < n; f++) {
    const fr = new Uint8Array(rows * cols);
    for (let p = 0; p < rows * cols; p++) {
      const bit = f * rows * cols + p;
      fr[p] = (bytes[bit >> 3]! >> (bit & 7)) & 1;
    }
    frames.push(fr);
  }
  return { rows, cols, frames };
}

function sliceIndexAt(position: number[]): number {
  const k = slices.findIndex((s) => s.position.every((v, i) => Math.abs(v - position[i]!) < 1e-3));
  if (k < 0) throw new Error(`frame position ${position.join('\\')} matches no source slice`);
  return k;
}

describe('writeDicomSeg', () => {
  it('writes a valid SEG (dciodvfy: no errors) whose frames equal the mask and reference the source', async () => {
    const mask = makeMask(source);
    const out = join(work, 'a', 'seg.dcm');
    const result = await writeDicomSeg({ mask, sourceFiles: files, outputFile: out });
    const foreground = (mask.data as Uint8Array).reduce((a, b) => a + b, 0);
    expect(result).toMatchObject({ status: 'written', file: out, foregroundVoxels: foreground, referencedFiles: 5 });
    expect(foreground).toBeGreaterThan(0);

    const v = await dciodvfy(out);
    expect(v.errors, v.output).toEqual([]);
    // Accepted warnings: none so far; a new one must be looked at and listed here.
    expect(v.warnings, v.output).toEqual([]);

    const seg = await dcm2json(out);
    expect(first(seg, '00080016')).toBe(SEG_STORAGE);
    expect(first(seg, '00080060')).toBe('SEG');
    expect(first(seg, '0008103E')).toBe("Otsu's method");
    expect(first(seg, '00620001')).toBe('BINARY');
    // Patient, study and frame of reference come from the source series.
    for (const tag of ['00100020', '0020000D', '00200052']) {
      expect(first(seg, tag), tag).toBe(first(sourceTags, tag));
    }
    expect(first(seg, '00100010')).toEqual(first(sourceTags, '00100010'));
    // The SEG is a new series, referencing the source series and every one of its instances.
    expect(first(seg, '0020000E')).not.toBe(first(sourceTags, '0020000E'));
    expect(first(seg, '00081115', 0, '0020000E')).toBe(first(sourceTags, '0020000E'));
    const referenced = value(seg, '00081115', 0, '0008114A').map((it) => first(it as DicomJson, '00081155'));
    expect(new Set(referenced)).toEqual(new Set(slices.map((s) => s.sopInstanceUid)));

    // One segment, labelled and coded.
    const segments = value(seg, '00620002') as DicomJson[];
    expect(segments).toHaveLength(1);
    const s0 = segments[0]!;
    expect(first(s0, '00620004')).toBe(1);
    expect(first(s0, '00620005')).toBe('abdomen');
    expect(first(s0, '00620008')).toBe('AUTOMATIC');
    expect(first(s0, '00620009')).toBe('Otsu');
    expect(first(s0, '0062000F', 0, '00080100')).toBe(codesForLabel('abdomen').type.CodeValue);
    expect(first(s0, '0062000F', 0, '00080104')).toBe('Abdomen');

    // Frames: one per slice by default (the empty slice 1 included), equal to the mask bit for bit.
    const [nx, ny, nz] = source.size as [number, number, number];
    const { rows, cols, frames } = frameBits(seg);
    expect([cols, rows]).toEqual([nx, ny]);
    expect(frames).toHaveLength(nz);
    const perFrame = value(seg, '52009230') as DicomJson[];
    const seen = new Set<number>();
    perFrame.forEach((item, f) => {
      const k = sliceIndexAt(value(item, '00209113', 0, '00200032') as number[]);
      seen.add(k);
      expect(first(item, '0062000A', 0, '0062000B')).toBe(1);
      const derivedFrom = first(item, '00089124', 0, '00082112', 0, '00081155');
      expect(derivedFrom, `frame ${f}`).toBe(slices[k]!.sopInstanceUid);
      const expected = (mask.data as Uint8Array).subarray(k * nx * ny, (k + 1) * nx * ny);
      expect(Array.from(frames[f]!), `frame ${f} = slice ${k}`).toEqual(Array.from(expected));
    });
    expect(seen.size).toBe(nz);
  });

  it("skips empty slices when asked (dcmqi's --skip), keeping the frame-to-instance mapping", async () => {
    const mask = makeMask(source);
    const [sx, sy] = source.size as [number, number, number];
    (mask.data as Uint8Array).fill(0, 4 * sx * sy); // slices 1 and 4 empty now: both are left out
    const out = join(work, 'b', 'seg.dcm');
    const result = await writeDicomSeg({
      mask,
      sourceFiles: [...files].reverse(),
      outputFile: out,
      label: 'Body',
      seriesDescription: 'Otsu test',
      seriesNumber: 42,
      skipEmptySlices: true,
    });
    expect(result.status).toBe('written');
    expect((await dciodvfy(out)).errors).toEqual([]);
    const seg = await dcm2json(out);
    expect(first(seg, '0008103E')).toBe('Otsu test');
    expect(first(seg, '00200011')).toBe(42);
    expect(first(seg, '00620002', 0, '00620005')).toBe('Body');
    expect(first(seg, '00620002', 0, '0062000F', 0, '00080104')).toBe('Entire body');
    const [nx, ny, nz] = source.size as [number, number, number];
    const { frames } = frameBits(seg);
    expect(frames).toHaveLength(nz - 2);
    expect(first(seg, '00280008')).toBe(nz - 2);
    const ks = (value(seg, '52009230') as DicomJson[]).map((item, f) => {
      const k = sliceIndexAt(value(item, '00209113', 0, '00200032') as number[]);
      expect(first(item, '00089124', 0, '00082112', 0, '00081155')).toBe(slices[k]!.sopInstanceUid);
      const expected = (mask.data as Uint8Array).subarray(k * nx * ny, (k + 1) * nx * ny);
      expect(Array.from(frames[f]!)).toEqual(Array.from(expected));
      return k;
    });
    expect(ks.sort()).toEqual([0, 2, 3]);
  });

  it('skips the SEG, explicitly, without a source series or without foreground', async () => {
    const out = join(work, 'c', 'seg.dcm');
    await expect(writeDicomSeg({ mask: makeMask(source), sourceFiles: undefined, outputFile: out })).resolves.toEqual({
      status: 'skipped',
      reason: 'no-source-series',
      message: expect.stringContaining('not a DICOM series'),
    });
    const empty = { ...source, data: new Uint8Array(source.data!.length) } as Image;
    await expect(writeDicomSeg({ mask: empty, sourceFiles: files, outputFile: out })).resolves.toMatchObject({
      status: 'skipped',
      reason: 'empty-mask',
    });
    await expect(stat(out)).rejects.toThrow();
  });

  it('names the missing source file and writes nothing', async () => {
    const out = join(work, 'd', 'seg.dcm');
    const missing = join(fixtureDir, 'no-such-file');
    const err = await writeDicomSeg({
      mask: makeMask(source),
      sourceFiles: [...files, missing],
      outputFile: out,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OtsuError);
    expect((err as OtsuError).file).toBe(missing);
    await expect(stat(out)).rejects.toThrow();
  });

  it('fails clearly when the mask is not on the source grid, and writes nothing', async () => {
    const out = join(work, 'e', 'seg.dcm');
    const shifted = { ...makeMask(source), origin: source.origin.map((o, i) => (i === 2 ? o + 100 : o)) } as Image;
    const err = await writeDicomSeg({ mask: shifted, sourceFiles: files, outputFile: out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OtsuError);
    expect((err as OtsuError).message).toMatch(/the mask's geometry .* does not match the source/);
    expect(files).toContain((err as OtsuError).file);
    await expect(stat(out)).rejects.toThrow();
  });

  it('describes a multi-frame source (RT Dose): one frame per source frame, placed by the Grid Frame Offset Vector', async () => {
    const rtdose = fileURLToPath(new URL('./fixtures/multiframe/rtdose.dcm', import.meta.url));
    const { outputImage } = await readImageDicomFileSeriesNode({ inputImages: [rtdose] });
    const values = outputImage.data as Uint32Array;
    const mask = {
      ...outputImage,
      data: Uint8Array.from(values, (v) => (v > Math.max(...values) / 2 ? 1 : 0)),
    } as Image;
    const out = join(work, 'g', 'seg.dcm');
    const result = await writeDicomSeg({ mask, sourceFiles: [rtdose], outputFile: out });
    expect(result).toMatchObject({ status: 'written', referencedFiles: 1, frames: 15 });
    const v = await dciodvfy(out);
    expect(v.errors, v.output).toEqual([]);
    const seg = await dcm2json(out);
    const src = await dcm2json(rtdose);
    const ipp = value(src, '00200032') as number[];
    const offsets = value(src, '3004000C') as number[];
    const { frames } = frameBits(seg);
    const [nx, ny] = outputImage.size as [number, number, number];
    (value(seg, '52009230') as DicomJson[]).forEach((item, k) => {
      // Axial dose grid: frame k at Image Position + offset k along the normal (0,0,1).
      const p = value(item, '00209113', 0, '00200032') as number[];
      expect(p.map((x) => Number(x.toFixed(3)))).toEqual(
        [ipp[0], ipp[1], ipp[2]! + offsets[k]!].map((x) => Number(x!.toFixed(3))),
      );
      expect(first(item, '00089124', 0, '00082112', 0, '00081155')).toBe(first(src, '00080018'));
      expect(first(item, '00089124', 0, '00082112', 0, '00081160')).toBe(k + 1);
      expect(Array.from(frames[k]!)).toEqual(
        Array.from((mask.data as Uint8Array).subarray(k * nx * ny, (k + 1) * nx * ny)),
      );
    });
  });

  it('rejects a malformed mask and invalid text before writing', async () => {
    const out = join(work, 'f', 'seg.dcm');
    const short = { ...source, data: new Uint8Array(3) } as Image;
    await expect(writeDicomSeg({ mask: short, sourceFiles: files, outputFile: out })).rejects.toThrow(/needs 1280/);
    await expect(
      writeDicomSeg({ mask: makeMask(source), sourceFiles: files, outputFile: out, label: 'a\\b' }),
    ).rejects.toThrow(OtsuError);
    await expect(stat(out)).rejects.toThrow();
  });
});

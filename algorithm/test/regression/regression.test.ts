// Regression gate of every release: kaapana-otsu (itk-wasm read + TypeScript Otsu) against ITK 5.2.1
// itself on real sample DICOM/NRRD/NIfTI. expected.json comes from algorithm/reference (the C++
// OtsuThresholdImageFilter program) via regenerate-expected.mjs. Threshold must be the same double,
// the mask identical voxel for voxel (SHA-256), geometry and pixel type as ITK reads them.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import dicomParser from 'dicom-parser';
import { nrrdWriteImageNode } from '@itk-wasm/image-io';
import {
  maskImage,
  otsuMask,
  readVolumes,
  scanDicomDirectory,
  scanDicomFile,
  writeNrrdAtomic,
  type ScalarArray,
} from '../../src/index.js';
import { readDicomSeriesCached } from '../../src/volume/wasm-pipelines.js';

interface Case {
  name: string;
  input: string;
  bins: number;
  seriesUid?: string;
  geometry: 'full' | 'in-plane' | 'size-only';
  geometryNote?: string;
  covers: string;
  expected: {
    threshold: number;
    componentType: string;
    foregroundVoxels: number;
    totalVoxels: number;
    maskSha256: string;
    size: number[];
    spacing: number[];
    origin: number[];
    direction: number[];
  };
}

const here = dirname(fileURLToPath(import.meta.url));
const data = join(here, '..', 'data');
const doc = JSON.parse(readFileSync(join(here, 'expected.json'), 'utf8')) as { cases: Case[] };

/** ITK's row-major 3×3 direction, cut to the first `n` axes. */
function directionBlock(flat: number[], dim: number, n: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) out.push(flat[r * dim + c]!);
  return out;
}

describe('regression against ITK 5.2.1 OtsuThresholdImageFilter', () => {
  it('has the cases the release gate promises', () => {
    expect(doc.cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of doc.cases) it(`${c.name}: ${c.covers}`, () => expectItkValues(c));

  // The real files without preamble (and the series mixing one with a Part-10 file) through the
  // itk-wasm reader too: both readers must accept what ITK's GDCM accepts.
  for (const name of ['mr-no-preamble-implicit', 'series-mr-asl-one-position']) {
    it(`${name}, itk-wasm reader`, async () => {
      const saved = process.env.KAAPANA_OTSU_READER;
      process.env.KAAPANA_OTSU_READER = 'itk-wasm';
      try {
        await expectItkValues(doc.cases.find((c) => c.name === name)!);
      } finally {
        if (saved === undefined) delete process.env.KAAPANA_OTSU_READER;
        else process.env.KAAPANA_OTSU_READER = saved;
      }
    });
  }

  async function expectItkValues(c: Case): Promise<void> {
    const volumes = await readVolumes(join(data, c.input), c.seriesUid ? { seriesUid: c.seriesUid } : {});
    expect(volumes).toHaveLength(1);
    const { image } = volumes[0]!;
    const r = otsuMask(image.data as ScalarArray, { bins: c.bins });
    const e = c.expected;

    expect(r.threshold).toBe(e.threshold);
    expect(r.pixelType).toBe(e.componentType);
    expect(r.totalVoxels).toBe(e.totalVoxels);
    expect(r.foregroundVoxels).toBe(e.foregroundVoxels);
    expect(createHash('sha256').update(r.mask).digest('hex')).toBe(e.maskSha256);

    const n = c.geometry === 'full' ? 3 : 2;
    const dim = image.imageType.dimension;
    const padded = (v: number[], fill: number) => [...v, ...Array(3 - v.length).fill(fill)] as number[];
    expect(padded(image.size, 1).slice(0, n)).toEqual(e.size.slice(0, n));
    if (c.geometry === 'size-only') return;
    expect(padded(image.spacing, 1).slice(0, n)).toEqual(e.spacing.slice(0, n));
    expect(padded(image.origin, 0).slice(0, n)).toEqual(e.origin.slice(0, n));
    const direction = directionBlock(Array.from(image.direction as ArrayLike<number>), dim, Math.min(n, dim));
    const expectedDirection = directionBlock(e.direction, 3, Math.min(n, dim));
    direction.forEach((v, i) => expect(v).toBeCloseTo(expectedDirection[i]!, 12));
  }
});

// The I/O shortcuts (header-only scan, DICOM files through the wasm module's MEMFS, NRRD bytes
// written by node) must give what the plain paths give.
describe('read/write paths agree with the plain ones', () => {
  it('a header scan of the first bytes equals a whole-file parse (files larger than the first read)', async () => {
    for (const f of [
      'ct-jpeg2000-pixelrep-mismatch.dcm',
      'series/mr-siemens-2slice/0.dcm',
      'series/mr-siemens-2slice/1.dcm',
    ]) {
      const path = join(data, f);
      const info = await scanDicomFile(path);
      const ds = dicomParser.parseDicom(new Uint8Array(readFileSync(path)), { untilTag: 'x7fe00010' });
      expect(info.seriesInstanceUid).toBe(ds.string('x0020000e'));
      expect([info.rows, info.columns]).toEqual([ds.uint16('x00280010'), ds.uint16('x00280011')]);
      expect(info.modality).toBe(ds.string('x00080060') ?? '');
      expect(info.orientation.join('\\')).toBe((ds.string('x00200037') ?? '').split('\\').map(Number).join('\\'));
    }
  });

  it('every series reads the same through MEMFS and through a NODEFS mount', async () => {
    for (const dir of readdirSync(join(data, 'series'))) {
      for (const s of await scanDicomDirectory(join(data, 'series', dir))) {
        if (s.files.some((f) => f.orientation.join() !== s.files[0]!.orientation.join())) continue;
        const files = s.files.map((f) => f.path);
        const mem = await readDicomSeriesCached(files);
        const mounted = await readDicomSeriesCached(files, 0);
        expect(mem.sortedFilenames).toEqual(mounted.sortedFilenames);
        expect(mem.image.size).toEqual(mounted.image.size);
        expect(mem.image.spacing).toEqual(mounted.image.spacing);
        expect(mem.image.origin).toEqual(mounted.image.origin);
        expect(Array.from(mem.image.direction as ArrayLike<number>)).toEqual(
          Array.from(mounted.image.direction as ArrayLike<number>),
        );
        expect(mem.image.imageType).toEqual(mounted.image.imageType);
        expect(
          Buffer.from((mem.image.data as ScalarArray).buffer).equals(
            Buffer.from((mounted.image.data as ScalarArray).buffer),
          ),
        ).toBe(true);
      }
    }
  });

  it("mask.nrrd has the header and voxels of itk-wasm's own nrrdWriteImageNode", async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'kx-nrrd-'));
    try {
      const [v] = await readVolumes(join(data, 'series', 'mr-siemens-2slice'));
      const mask = maskImage(v!.image, otsuMask(v!.image.data as ScalarArray).mask);
      await writeNrrdAtomic(mask, join(tmp, 'mask.nrrd'));
      await nrrdWriteImageNode(mask, join(tmp, 'plain.nrrd'), { useCompression: true });
      // Same header text and voxels; the gzip streams differ (node's zlib is Chromium's fork).
      const split = (b: Buffer) => {
        const end = b.indexOf('\n\n') + 2;
        return { header: b.subarray(0, end).toString('latin1'), voxels: gunzipSync(b.subarray(end)) };
      };
      const ours = split(readFileSync(join(tmp, 'mask.nrrd')));
      const itk = split(readFileSync(join(tmp, 'plain.nrrd')));
      expect(ours.header).toBe(itk.header);
      expect(ours.voxels.equals(itk.voxels)).toBe(true);
      expect(readdirSync(tmp).sort()).toEqual(['mask.nrrd', 'plain.nrrd']);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

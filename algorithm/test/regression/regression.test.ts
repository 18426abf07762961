// Regression gate of every release: kaapana-otsu (itk-wasm read + TypeScript Otsu) against ITK 5.2.1
// itself on real sample DICOM/NRRD/NIfTI. expected.json comes from algorithm/reference (the C++
// OtsuThresholdImageFilter program) via regenerate-expected.mjs. Threshold must be the same double,
// the mask identical voxel for voxel (SHA-256), geometry and pixel type as ITK reads them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { otsuMask, readVolumes, type ScalarArray } from '../../src/index.js';

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
    expect(doc.cases.length).toBeGreaterThanOrEqual(20);
  });

  for (const c of doc.cases) {
    it(`${c.name}: ${c.covers}`, async () => {
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
    });
  }
});

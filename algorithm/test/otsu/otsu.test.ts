// Unit tests of the ITK-compatible Otsu pieces: ULP comparison, bin edges and look-up, the fast
// bin look-up against ITK's literal binary search, the threshold/mask semantics and input errors.
// Whole-pipeline equality with ITK is the regression suite's job (../regression).
import { describe, expect, it } from 'vitest';
import { OtsuError } from '../../src/errors.js';
import {
  binEdges,
  binIndexItk,
  buildHistogram,
  floatAlmostEqual,
  histogramBounds,
  otsuMask,
  otsuThreshold,
  thresholdImage,
} from '../../src/otsu/index.js';

describe('floatAlmostEqual (itk::Math::FloatAlmostEqual<double>)', () => {
  it('counts ULPs between neighbours', () => {
    const x = 1.5;
    const next = x + 2 ** -52;
    expect(floatAlmostEqual(x, next, 1)).toBe(true);
    expect(floatAlmostEqual(x, next + 2 ** -52, 1)).toBe(false);
    expect(floatAlmostEqual(x, x + 4 * 2 ** -52)).toBe(true);
    expect(floatAlmostEqual(x, x + 5 * 2 ** -52)).toBe(false);
  });
  it('treats opposite signs as different unless within the absolute tolerance', () => {
    expect(floatAlmostEqual(1e-30, -1e-30)).toBe(true);
    expect(floatAlmostEqual(1e-10, -1e-10)).toBe(false);
  });
});

describe('histogram bounds and edges (ImageToHistogramFilter / Histogram::Initialize)', () => {
  it('uses the fixed type range for 8-bit pixels and the data range + margin otherwise', () => {
    expect(histogramBounds('uint8', 3, 9, 128)).toEqual({ lower: -0.5, upper: 255.5, clipBinsAtEnds: true });
    expect(histogramBounds('int8', 3, 9, 128)).toEqual({ lower: -128.5, upper: 127.5, clipBinsAtEnds: true });
    expect(histogramBounds('int16', -1000, 1560, 128)).toEqual({
      lower: -1000,
      upper: 1560 + 2560 / 128 / 100,
      clipBinsAtEnds: true,
    });
  });
  it('computes the interval in float and adds it to the double lower bound', () => {
    const { binMins, binMaxs } = binEdges(-1000, 1560.2, 128);
    const interval = Math.fround(Math.fround(Math.fround(1560.2) - Math.fround(-1000)) / 128);
    expect(binMins[1]).toBe(-1000 + Math.fround(interval));
    expect(binMaxs[126]).toBe(-1000 + Math.fround(127 * interval));
    expect(binMaxs[127]).toBe(1560.2);
    expect(binMins[127]).toBe(binMaxs[126]);
  });
  it('drops values beyond the last edge unless they almost equal it', () => {
    const { binMins, binMaxs } = binEdges(0, 10, 4);
    expect(binIndexItk(binMins, binMaxs, true, -1)).toBe(-1);
    expect(binIndexItk(binMins, binMaxs, true, 10)).toBe(3);
    expect(binIndexItk(binMins, binMaxs, true, 10.5)).toBe(-1);
    expect(binIndexItk(binMins, binMaxs, false, 10.5)).toBe(3);
    expect(binIndexItk(binMins, binMaxs, true, 2.5)).toBe(1);
    expect(binIndexItk(binMins, binMaxs, true, 2.4999)).toBe(0);
  });
  it('puts every voxel of a constant image into the last bin', () => {
    const h = buildHistogram(new Int16Array(50).fill(7), 'int16', 128);
    expect(h.frequencies[127]).toBe(50);
    expect(h.totalFrequency).toBe(50);
  });
  it('bins float data the same through the fast path and the literal binary search', () => {
    const data = new Float32Array(20000);
    let s = 12345;
    for (let i = 0; i < data.length; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      data[i] = (s / 2 ** 32) * 3000 - 1000.25;
    }
    data[0] = -1000.25;
    const h = buildHistogram(data, 'float32', 97);
    const literal = new Float64Array(97);
    for (const v of data) {
      const j = binIndexItk(h.binMins, h.binMaxs, h.clipBinsAtEnds, v);
      if (j >= 0) literal[j]!++;
    }
    expect(Array.from(h.frequencies)).toEqual(Array.from(literal));
  });
});

describe('otsuThreshold / otsuMask', () => {
  it('separates two clusters and casts the threshold to the pixel type', () => {
    const data = new Int16Array([...Array(60).fill(10), ...Array(40).fill(200)]);
    const r = otsuMask(data);
    expect(Number.isInteger(r.threshold)).toBe(true);
    expect(r.threshold).toBeGreaterThanOrEqual(10);
    expect(r.threshold).toBeLessThan(200);
    expect(r.foregroundVoxels).toBe(40);
    expect(r.mask[0]).toBe(0);
    expect(r.mask[99]).toBe(1);
    expect(r.threshold).toBe(Math.trunc(r.binMax));
  });
  it('rounds the threshold of float32 images to float32', () => {
    const data = new Float32Array([0.1, 0.2, 0.3, 5.1, 5.2, 5.3]);
    const r = otsuThreshold(data);
    expect(r.threshold).toBe(Math.fround(r.binMax));
  });
  it('gives the first bin max for a constant image and an all-inside mask', () => {
    const r = otsuMask(new Uint16Array(10).fill(42));
    expect(r.threshold).toBe(42);
    expect(r.foregroundVoxels).toBe(0);
  });
  it('honours inside/outside values', () => {
    const data = new Uint8Array([0, 0, 255, 255]);
    const r = otsuMask(data, { inside: 255, outside: 7 });
    expect(Array.from(r.mask)).toEqual([255, 255, 7, 7]);
  });
  it('keeps float voxels at -infinity outside, like BinaryThresholdImageFilter', () => {
    const { mask } = thresholdImage(new Float32Array([-Infinity, 0, 1]), 'float32', 0.5, { inside: 0, outside: 1 });
    expect(Array.from(mask)).toEqual([1, 0, 1]);
  });
  it('rejects bad input with a OtsuError', () => {
    expect(() => otsuThreshold(new Int16Array(0))).toThrow(OtsuError);
    expect(() => otsuThreshold(new Int16Array(4), { bins: 1 })).toThrow(/bins/);
    expect(() => otsuThreshold(new Float32Array([1, Number.NaN]))).toThrow(/NaN/);
    expect(() => otsuMask(new Int16Array(4), { inside: 300 })).toThrow(/0…255/);
  });

  it('16-bit mask fast paths (two voxels per load) agree with the plain comparison, any length and alignment', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xffff;
    for (const len of [0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 64, 67]) {
      for (const skip of [0, 1, 2]) {
        const i16 = new Int16Array(len + skip).map(() => rnd() - 32768).subarray(skip);
        const u16 = new Uint16Array(len + skip).map(() => rnd()).subarray(skip);
        for (const [data, type, t] of [
          [i16, 'int16', -7],
          [i16, 'int16', 32767],
          [i16, 'int16', -32768],
          [u16, 'uint16', 40000],
          [u16, 'uint16', 0],
        ] as const) {
          const valueCounts = { min: 0, counts: new Float64Array(0) };
          const { mask } = thresholdImage(data, type, t, { inside: 0, outside: 1 }, new Uint8Array(len), valueCounts);
          expect(Array.from(mask)).toEqual(Array.from(data as ArrayLike<number>, (v) => (v > t ? 1 : 0)));
        }
      }
    }
  });
});

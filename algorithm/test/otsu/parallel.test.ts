// Two-thread Otsu on images in shared memory: for every 8/16-bit type, odd lengths, an offset view and
// other inside/outside values, the histogram, threshold, counts and mask are exactly those of the
// single-threaded path on a plain copy of the same voxels.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { otsuMask, PARALLEL_MIN_VOXELS, splittable, type ScalarArray } from '../../src/otsu/index.js';
import { countPairs, maskRange, type SmallIntArray } from '../../src/otsu/kernels.js';
import { countParallel, maskParallel } from '../../src/otsu/parallel.js';
import { sharedBytes } from '../../src/otsu/shared-memory.js';

type Ctor = Int8ArrayConstructor | Uint8ArrayConstructor | Int16ArrayConstructor | Uint16ArrayConstructor;

function fill(a: ScalarArray, lo: number, span: number): void {
  let s = 2463534242;
  for (let i = 0; i < a.length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    // Two clusters so the threshold is not at an edge.
    a[i] = lo + ((i >> 9) % 3 === 0 ? span * 0.7 : span * 0.1) + (s % Math.floor(span * 0.2));
  }
}

function shared(ctor: Ctor, n: number, offsetElements = 0): ScalarArray {
  const buffer = new SharedArrayBuffer((n + offsetElements) * ctor.BYTES_PER_ELEMENT);
  return new ctor(buffer as unknown as ArrayBuffer, offsetElements * ctor.BYTES_PER_ELEMENT, n);
}

const cases: [string, Ctor, number, number][] = [
  ['int16', Int16Array, -2000, 4000],
  ['uint16', Uint16Array, 0, 60000],
  ['int8', Int8Array, -128, 255],
  ['uint8', Uint8Array, 0, 255],
];

describe('two-thread Otsu on shared images', () => {
  for (const [name, ctor, lo, span] of cases) {
    it(`${name}: same histogram, threshold and mask as one thread`, async () => {
      for (const [n, offset, values] of [
        [PARALLEL_MIN_VOXELS + 3, 0, { inside: 0, outside: 1 }],
        [PARALLEL_MIN_VOXELS * 2 + 6, 4, { inside: 7, outside: 200 }],
      ] as const) {
        const data = shared(ctor, n, offset);
        fill(data, lo, span);
        expect(splittable(data)).toBe(true);
        const plain = new ctor(n);
        plain.set(data as never);
        const one = otsuMask(plain, values);
        // Same result whether the helper thread took no chunk (not started yet, or busy) or many.
        const two = otsuMask(data, values);
        expect(two.mask.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(two.threshold).toBe(one.threshold);
        expect(Array.from(two.histogram.frequencies)).toEqual(Array.from(one.histogram.frequencies));
        expect(Array.from(two.histogram.valueCounts!.counts)).toEqual(Array.from(one.histogram.valueCounts!.counts));
        expect(two.foregroundVoxels).toBe(one.foregroundVoxels);
        expect(Buffer.from(two.mask).equals(Buffer.from(one.mask))).toBe(true);
        await sleep(30); // the second round finds the helper thread running
      }
    }, 60_000);
  }

  for (const [name, ctor, lo, span] of cases) {
    it(`${name}: the helper thread takes chunks of the count and the mask pass, with the same results`, async () => {
      const n = PARALLEL_MIN_VOXELS * 2 + 6;
      const data = shared(ctor, n, 4) as SmallIntArray;
      fill(data, lo, span);
      const offset = name.endsWith('16') ? (name === 'int16' ? 32768 : 0) : name === 'int8' ? 128 : 0;
      const expected = { c0: new Uint32Array(1 << 16), c1: new Uint32Array(1 << 16) };
      countPairs(data, offset, expected.c0, expected.c1, 0, n);
      const t = Math.round(lo + span * 0.4);
      const expectedMask = new Uint8Array(n);
      maskRange(data, expectedMask, t, 0, 1, 0, n);
      const helped = { count: false, mask: false };
      // The helper may be busy or still starting (on a loaded machine it can get no CPU for
      // seconds): repeat until it took part in both passes, for up to 50 s.
      const giveUpAt = Date.now() + 50_000;
      while (!(helped.count && helped.mask) && Date.now() < giveUpAt) {
        const c0 = new Uint32Array(1 << 16);
        const c1 = new Uint32Array(1 << 16);
        const count = countParallel(data, offset, c0, c1);
        expect(count).toBeDefined();
        const sum = (a: Uint32Array, b: Uint32Array) => Array.from(a, (x, k) => x + b[k]!);
        expect(sum(c0, c1)).toEqual(sum(expected.c0, expected.c1));
        const out = sharedBytes(n);
        const mask = maskParallel(data, out, t, 0, 1);
        expect(mask).toBeDefined();
        expect(Buffer.from(out).equals(Buffer.from(expectedMask))).toBe(true);
        helped.count ||= count!.byHelper > 0;
        helped.mask ||= mask!.byHelper > 0;
        await sleep(10);
      }
      expect(helped).toEqual({ count: true, mask: true });
    }, 90_000);
  }

  it('leaves plain and small images on the calling thread', () => {
    expect(splittable(new Int16Array(PARALLEL_MIN_VOXELS))).toBe(false);
    expect(splittable(shared(Int16Array, 1000))).toBe(false);
    expect(splittable(shared(Int16Array, PARALLEL_MIN_VOXELS, 1))).toBe(false); // not 32-bit aligned
    expect(splittable(new Float32Array(new SharedArrayBuffer(4 * PARALLEL_MIN_VOXELS)))).toBe(false);
  });
});

describe('allocateVolumeArray', () => {
  it('puts large volumes in shared memory and small ones in plain arrays', async () => {
    const { allocateVolumeArray } = await import('../../src/otsu/index.js');
    const big = allocateVolumeArray(Uint16Array, PARALLEL_MIN_VOXELS);
    expect(big.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(big.length).toBe(PARALLEL_MIN_VOXELS);
    expect(splittable(big)).toBe(true);
    const small = allocateVolumeArray(Float32Array, 10);
    expect(small.buffer).toBeInstanceOf(ArrayBuffer);
    expect(small.length).toBe(10);
  });
});

// The background page-faulting of large mask buffers: the buffer is zeroed, the worker never writes
// after ready(), and a large mask is the same whether or not its pages were prefaulted.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { allocatePrefaulted, otsuMask, PREFAULT_MIN_BYTES, thresholdImage } from '../../src/otsu/index.js';

describe('allocatePrefaulted', () => {
  it('gives small buffers as plain zeroed arrays', () => {
    const b = allocatePrefaulted(1000);
    b.ready();
    expect(b.bytes.buffer).toBeInstanceOf(ArrayBuffer);
    expect(b.bytes.every((x) => x === 0)).toBe(true);
  });

  it('never writes to a large buffer once ready() returned, wherever the worker was', async () => {
    // ready() right away (worker pending or just started) and after a while (worker done).
    for (const wait of [0, 1, 5, 50]) {
      const b = allocatePrefaulted(PREFAULT_MIN_BYTES + 12345);
      if (wait) await sleep(wait);
      b.ready();
      expect(b.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
      b.bytes.fill(7);
      await sleep(20);
      let bad = 0;
      for (let i = 0; i < b.bytes.length; i += 4096) if (b.bytes[i] !== 7) bad++;
      expect(bad).toBe(0);
    }
  });

  it('lets the GC free masks made in a loop (the shared memory does not pile up)', () => {
    const n = 4 * PREFAULT_MIN_BYTES;
    const before = process.memoryUsage().rss;
    let peak = before;
    for (let k = 0; k < 24; k++) {
      const b = allocatePrefaulted(n);
      b.ready();
      b.bytes.fill(1);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    // 24 masks of 64 MiB are 1.5 GiB if none were freed; a few alive at a time is what the GC allows
    // (measured in a plain node process: 7 masks; 14-19 when the helper thread's handles carry no
    // ballast, helper-worker.ts).
    expect((peak - before) / n).toBeLessThan(10);
  });

  it('gives the same mask as a plain buffer for a large int16 volume', () => {
    const n = PREFAULT_MIN_BYTES + 4099;
    const data = new Int16Array(n);
    let s = 12345;
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) >>> 0;
      data[i] = ((s >>> 8) & 4095) - 1000;
    }
    const viaPrefault = otsuMask(data);
    expect(viaPrefault.mask.buffer).toBeInstanceOf(SharedArrayBuffer);
    const plain = thresholdImage(data, 'int16', viaPrefault.threshold, { inside: 0, outside: 1 });
    expect(Buffer.compare(Buffer.from(viaPrefault.mask), Buffer.from(plain.mask))).toBe(0);
    expect(viaPrefault.foregroundVoxels).toBe(plain.outsideVoxels);
  });
});

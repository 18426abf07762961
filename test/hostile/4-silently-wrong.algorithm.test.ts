// Class 4 (wrong results with exit 0), kaapana-otsu: a DICOM file cut short (the last bytes of its
// pixel data missing) is an error naming the file, never a mask from partial data.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'vitest';
import { expectChangesOnlyUnder, scratch, snapshot, writeTree, type Scratch } from './harness.js';
import { expectOtsuFailure, OTSU_DATA, runOtsu } from './algorithm.js';

let s: Scratch;
afterEach(() => s?.cleanup());

describe('kaapana-otsu: pixel data cut short', () => {
  // ct5n's slices have 512 bytes of pixels: 100 missing there.
  for (const [name, file, cut] of [
    ['a single file', 'ct-small.dcm', 1000],
    ['a slice of a series', 'series/ct5n/2392', 100],
  ] as const) {
    it(`is an error for ${name}`, async () => {
      s = scratch('otsu-cut');
      writeTree(s.ws, { 'in/cut.dcm': readFileSync(join(OTSU_DATA, file)).subarray(0, -cut) });
      const before = snapshot(s.root);
      const run = await runOtsu(['--input', name === 'a single file' ? 'in/cut.dcm' : 'in', '--output', 'out'], s);
      expectOtsuFailure(run, { file: join(s.ws, 'in/cut.dcm'), message: /cut short|shorter|past the end|truncated/i });
      expectChangesOnlyUnder(before, snapshot(s.root), []);
    });
  }
});

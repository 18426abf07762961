// Class 1 (names from file contents becoming paths), kaapana-otsu: a directory with several series
// gets one output sub-directory per SeriesInstanceUID, so a UID is a name taken from a file. Only
// DICOM UID syntax (digits and dots) may name a directory; anything else fails the run before any
// output exists, with the file named.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectChangesOnlyUnder, scratch, snapshot, type Scratch } from './harness.js';
import { expectOtsuFailure, runOtsu, seriesWithUid } from './algorithm.js';

let s: Scratch;
afterEach(() => s?.cleanup());

describe('kaapana-otsu: SeriesInstanceUID as an output directory name', () => {
  for (const uid of ['../../x', '1.2/../../../x', '.']) {
    it(`refuses the UID ${JSON.stringify(uid)} and writes nothing`, async () => {
      s = scratch('otsu-uid');
      const edited = seriesWithUid(join(s.ws, 'in'), uid);
      const before = snapshot(s.root);
      const run = await runOtsu(['--input', 'in', '--output', 'out', '--mask-only'], s);
      expectOtsuFailure(run, { file: edited, message: /is not a DICOM UID/ });
      expectChangesOnlyUnder(before, snapshot(s.root), []);
    });
  }

  it('still writes one directory per series for real UIDs', async () => {
    s = scratch('otsu-uid-ok');
    seriesWithUid(join(s.ws, 'in'), '1.2.826.0.1.3680043.2.1125.17');
    const before = snapshot(s.root);
    const run = await runOtsu(['--input', 'in', '--output', 'out', '--mask-only'], s);
    expect(run.exitCode, run.stderr).toBe(0);
    expectChangesOnlyUnder(before, snapshot(s.root), ['ws/out']);
    expect(readdirSync(join(s.ws, 'out')).sort()).toEqual([
      '1.2.826.0.1.3680043.2.1125.17',
      '1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.6',
    ]);
  });
});

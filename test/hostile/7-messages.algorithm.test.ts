// Class 7 (unclear messages), kaapana-otsu: an --output that cannot be written, a directory where a
// file belongs (EISDIR), a file no reader can read (itk-wasm's C++ exception is a bare pointer
// number, its text goes to stdout) — each is one `kaapana-otsu: error:` line naming the path, exit
// 1, no stack trace, no "internal error", nothing on stdout.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'vitest';
import { expectChangesOnlyUnder, scratch, snapshot, writeTree, type Scratch } from './harness.js';
import { expectOtsuFailure, nrrdHeader, OTSU_DATA, runOtsu } from './algorithm.js';

let s: Scratch;
afterEach(() => s?.cleanup());

const CT = join(OTSU_DATA, 'ct-small.dcm');

async function expectMessage(argv: string[], file: string, message: RegExp): Promise<void> {
  const before = snapshot(s.root);
  const run = await runOtsu(argv, s);
  expectOtsuFailure(run, { file, message });
  expectChangesOnlyUnder(before, snapshot(s.root), []);
}

describe('kaapana-otsu: messages name the path', () => {
  it('--output below a file', async () => {
    s = scratch('otsu-out-under-file');
    writeFileSync(join(s.ws, 'file'), 'x\n');
    await expectMessage(
      ['--input', CT, '--output', 'file/out/x'],
      'file/out/x',
      /--output cannot be created: .*\/ws\/file is not a directory/,
    );
  });

  it('--seg-metadata that is a directory (no bare EISDIR)', async () => {
    s = scratch('otsu-eisdir');
    mkdirSync(join(s.ws, 'meta.json'));
    await expectMessage(['--input', CT, '--output', 'out', '--seg-metadata', 'meta.json'], 'meta.json', /EISDIR/);
  });

  it('an NRRD no reader can read (no wasm pointer, no wasm text on stdout)', async () => {
    s = scratch('otsu-unreadable');
    writeTree(s.ws, {
      'ascii.nrrd': `${nrrdHeader({ type: 'short', sizes: [4, 4, 4], encoding: 'raw' }).replace('encoding: raw', 'encoding: ascii')}1 2 3\n`,
    });
    await expectMessage(
      ['--input', 'ascii.nrrd', '--output', 'out'],
      'ascii.nrrd',
      /cannot read ascii\.nrrd as an image/,
    );
  });

  it('a NIfTI of random bytes', async () => {
    s = scratch('otsu-bad-nifti');
    writeTree(s.ws, { 'bad.nii': Buffer.alloc(400, 7) });
    await expectMessage(['--input', 'bad.nii', '--output', 'out'], 'bad.nii', /cannot read bad\.nii as an image/);
  });
});

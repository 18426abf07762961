// Class 5 (failures that leave files half-changed), kaapana-otsu: the Kaapana operator mode
// processes every batch element and promises all or nothing — an element failing after earlier ones
// succeeded leaves none of their outputs (they are staged and moved in at the end); the CLI checks
// --output before it reads or computes anything.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectChangesOnlyUnder, scratch, snapshot, writeTree, type Scratch } from './harness.js';
import { expectOtsuFailure, nrrdHeader, runOtsu } from './algorithm.js';

let s: Scratch;
afterEach(() => s?.cleanup());

/** A Kaapana batch: `<ws>/wf/batch/<element>/in/<file>` for each element. */
function batch(elements: Record<string, Record<string, Buffer>>): Record<string, string> {
  for (const [element, files] of Object.entries(elements)) {
    for (const [name, bytes] of Object.entries(files))
      writeTree(join(s.ws, 'wf/batch', element, 'in'), { [name]: bytes });
  }
  return { WORKFLOW_DIR: join(s.ws, 'wf'), BATCH_NAME: 'batch', OPERATOR_IN_DIR: 'in', OPERATOR_OUT_DIR: 'out' };
}

describe('kaapana-otsu operator mode: all or nothing', () => {
  it('leaves no outputs of earlier elements when a later element fails', async () => {
    s = scratch('otsu-operator');
    const good = Buffer.concat([
      Buffer.from(nrrdHeader({ type: 'short', sizes: [8, 8, 2], encoding: 'raw' })),
      Buffer.from(Array.from({ length: 256 }, (_, i) => i % 97)),
    ]);
    // Cut short: the header declares 256 bytes, 100 follow (found only when this element is read).
    const cut = Buffer.concat([
      Buffer.from(nrrdHeader({ type: 'short', sizes: [8, 8, 2], encoding: 'raw' })),
      Buffer.alloc(100),
    ]);
    const env = batch({
      'a-first': { 'ct.nrrd': good },
      'b-second': { 'ct.nrrd': good },
      'c-third': { 'ct.nrrd': cut },
    });
    const before = snapshot(s.root);
    const run = await runOtsu([], s, env);
    expect(run.stdout, 'the earlier elements were processed').toMatch(/a-first[\s\S]*b-second/);
    expectOtsuFailure(
      { ...run, stdout: '' },
      { file: join(s.ws, 'wf/batch/c-third/in/ct.nrrd'), message: /declares 256 bytes of raw data, the file has 100/ },
    );
    expectChangesOnlyUnder(before, snapshot(s.root), []);
  });

  it('writes every element when all succeed', async () => {
    s = scratch('otsu-operator-ok');
    const good = Buffer.concat([
      Buffer.from(nrrdHeader({ type: 'short', sizes: [8, 8, 2], encoding: 'raw' })),
      Buffer.from(Array.from({ length: 256 }, (_, i) => i % 97)),
    ]);
    const env = batch({ 'a-first': { 'ct.nrrd': good }, 'b-second': { 'ct.nrrd': good } });
    const before = snapshot(s.root);
    const run = await runOtsu([], s, env);
    expect(run.exitCode, run.stderr).toBe(0);
    expectChangesOnlyUnder(before, snapshot(s.root), ['ws/wf/batch/a-first/out', 'ws/wf/batch/b-second/out']);
  });
});

describe('kaapana-otsu CLI: --output checked before anything is read', () => {
  it('refuses an --output that is a file, before reading a bad input', async () => {
    s = scratch('otsu-output-file');
    writeFileSync(join(s.ws, 'out'), 'a file\n');
    // The input would fail too (its raw data is cut short): the output's error must come first.
    writeTree(s.ws, {
      'bad.nrrd': Buffer.concat([
        Buffer.from(nrrdHeader({ type: 'short', sizes: [64, 64, 8], encoding: 'raw' })),
        Buffer.alloc(10),
      ]),
    });
    const before = snapshot(s.root);
    const run = await runOtsu(['--input', 'bad.nrrd', '--output', 'out'], s);
    expectOtsuFailure(run, { file: 'out', message: /--output is not a directory/ });
    expectChangesOnlyUnder(before, snapshot(s.root), []);
  });
});

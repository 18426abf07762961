// What the algorithm cases of the hostile suite share: running the real `kaapana-otsu` process
// (algorithm/bin, the compiled CLI; `npm run build` first) under the suite's memory limit, the
// assertion of a clean failure on the CLI's stderr (exit 1, exactly one `kaapana-otsu: error:` line
// naming the file, no stack trace, no "internal error", no wasm pointer or wasm text), and builders
// of hostile inputs (NRRD headers, a gzip bomb, a DICOM series with an edited SeriesInstanceUID).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { EXIT_FAILED, ROOT, runHostileBin, type CliRun, type Scratch } from './harness.js';

export const OTSU_BIN = join(ROOT, 'algorithm/bin/kaapana-otsu.js');
export const OTSU_DATA = join(ROOT, 'algorithm/test/data');

/** `kaapana-otsu --quiet …argv` in `s.ws` under the memory limit. */
export function runOtsu(argv: string[], s: Scratch, env: Record<string, string> = {}): Promise<CliRun> {
  return runHostileBin(OTSU_BIN, ['--quiet', ...argv], s, env);
}

/** Exit 1, one error line naming `file` (matching `message`), nothing else a user should not see. */
export function expectOtsuFailure(run: CliRun, opts: { file: string; message?: RegExp }): string {
  const all = `${run.stdout}\n${run.stderr}`;
  expect(run.exitCode, `expected a clean failure (exit ${EXIT_FAILED}):\n${all}`).toBe(EXIT_FAILED);
  const errors = run.stderr.split('\n').filter((l) => l.startsWith('kaapana-otsu: error:'));
  expect(errors, `expected one error line:\n${run.stderr}`).toHaveLength(1);
  const line = errors[0]!;
  expect(line, 'the error names the file').toContain(opts.file);
  if (opts.message) expect(line).toMatch(opts.message);
  expect(all, 'no stack trace').not.toMatch(/\n\s+at .+:\d+:\d+\)?$/m);
  expect(all).not.toMatch(/internal error|FATAL ERROR|heap out of memory|RangeError|Aborted\(/i);
  // A C++ exception reaching JavaScript is a bare pointer ("… as an image: 207968"); wasm text goes to stdout.
  expect(line, 'no wasm pointer').not.toMatch(/:\s*\d{4,}\s*$/);
  expect(run.stdout, 'nothing on stdout').toBe('');
  return line;
}

/** An attached NRRD header (ends with the blank line). */
export function nrrdHeader(o: { type: string; sizes: number[]; encoding: 'raw' | 'gzip' }): string {
  return [
    'NRRD0004',
    `type: ${o.type}`,
    `dimension: ${o.sizes.length}`,
    'space: left-posterior-superior',
    `sizes: ${o.sizes.join(' ')}`,
    `space directions: ${o.sizes.map((_, i) => `(${o.sizes.map((__, j) => (i === j ? 1 : 0)).join(',')})`).join(' ')}`,
    `kinds: ${o.sizes.map(() => 'domain').join(' ')}`,
    'endian: little',
    `encoding: ${o.encoding}`,
    `space origin: (${o.sizes.map(() => 0).join(',')})`,
    '',
    '',
  ].join('\n');
}

/**
 * gzip data that inflates to `members` × 16 MiB of zeros: concatenated gzip members (which NrrdIO
 * and zlib's gunzip read in sequence), each the same ~16 KiB member, so building it costs one
 * compression of 16 MiB.
 */
export function gzipBomb(members: number): Buffer {
  const one = gzipSync(Buffer.alloc(16 * 2 ** 20), { level: 9 });
  return Buffer.concat(Array.from({ length: members }, () => one));
}

/**
 * A DICOM directory `dir` with two series: a real CT slice (series/ct5n) and a copy of ct-small.dcm
 * (explicit VR little endian) whose top-level SeriesInstanceUID (0020,000E) is set to `uid`. Returns
 * the edited file's path.
 */
export function seriesWithUid(dir: string, uid: string): string {
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(OTSU_DATA, 'series/ct5n/2062'), join(dir, 'good'));
  const bytes = readFileSync(join(OTSU_DATA, 'ct-small.dcm'));
  const at = bytes.indexOf(Buffer.from([0x20, 0x00, 0x0e, 0x00, 0x55, 0x49]), 132);
  if (at < 0) throw new Error('ct-small.dcm has no explicit VR SeriesInstanceUID');
  const value = Buffer.from(uid.length % 2 ? `${uid}\0` : uid, 'latin1');
  const length = Buffer.alloc(2);
  length.writeUInt16LE(value.length);
  const end = at + 8 + bytes.readUInt16LE(at + 6);
  const edited = join(dir, 'edited');
  writeFileSync(edited, Buffer.concat([bytes.subarray(0, at + 6), length, value, bytes.subarray(end)]));
  return edited;
}

// Class 2 — resource exhaustion: charts that would make package-chart walk, read or inflate without
// end. Each case runs the bundle under the harness's memory limit (prlimit --data + a small V8 heap)
// and asserts a clean failure (exit 1, one annotation naming the file) instead of a crash, and that
// nothing was written.
import { closeSync, mkdirSync, openSync, symlinkSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  chartFiles,
  expectChangesOnlyUnder,
  expectCleanFailure,
  runHostileAction,
  scratch,
  snapshot,
  writeTree,
  type Scratch,
} from './harness.js';

let s: Scratch;
afterEach(() => s?.cleanup());

/** A USTAR header block for `name` declaring `size` bytes (octal, 11 digits + NUL; base-256 when larger). */
function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  if (size < 8 ** 11) h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  else {
    h[124] = 0x80;
    h.writeBigUInt64BE(BigInt(size), 128);
  }
  h.write('00000000000\0', 136, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

async function packageFails(
  files: Record<string, string | Buffer>,
  prepare: (chart: string) => void,
  file: string,
  message: RegExp,
): Promise<void> {
  s = scratch('exhaust');
  const chart = join(s.ws, 'wf');
  writeTree(chart, files);
  prepare(chart);
  const before = snapshot(s.root);
  const run = await runHostileAction(
    'action-package-chart',
    { chart: 'wf', destination: 'out', 'dependency-update': 'false' },
    s,
  );
  expectCleanFailure(run, { file, message });
  expectChangesOnlyUnder(before, snapshot(s.root), []);
}

describe('package-chart: directory walks end', () => {
  it('refuses a symlink loop templates/loop -> .. (helm walks it until the OS refuses the path)', async () => {
    await packageFails(
      chartFiles('wf'),
      (c) => symlinkSync('..', join(c, 'templates', 'loop')),
      'wf/templates/loop',
      /symlink loop/,
    );
  });

  it('refuses a self loop templates/self -> .', async () => {
    await packageFails(
      chartFiles('wf'),
      (c) => symlinkSync('.', join(c, 'templates', 'self')),
      'wf/templates/self',
      /symlink loop/,
    );
  });

  it('refuses a link deeper down that points back at a parent (files/b/up -> ../../files)', async () => {
    await packageFails(
      chartFiles('wf'),
      (c) => {
        mkdirSync(join(c, 'files', 'b'), { recursive: true });
        symlinkSync('../../files', join(c, 'files', 'b', 'up'));
      },
      'wf/files/b/up',
      /symlink loop/,
    );
  });

  it('stops at 64 nested directories', async () => {
    await packageFails(
      chartFiles('wf'),
      (c) => mkdirSync(join(c, 'files', ...Array.from({ length: 80 }, () => 'd')), { recursive: true }),
      'wf/files/d/d',
      /deeper than 64 levels/,
    );
  });

  it('checks a file’s size before reading it (a sparse 6 GiB values file)', async () => {
    await packageFails(
      chartFiles('wf'),
      (c) => {
        const fd = openSync(join(c, 'files.bin'), 'w');
        ftruncateSync(fd, 6 * 1024 ** 3);
        closeSync(fd);
      },
      'wf/files.bin',
      /larger than the maximum file size/,
    );
  });
});

describe('package-chart: archives in charts/ are read within bounds', () => {
  it('refuses a tar entry declaring 8 GiB before buffering it', async () => {
    const tgz = gzipSync(Buffer.concat([tarHeader('big/Chart.yaml', 8 * 1024 ** 3), Buffer.alloc(4096)]));
    await packageFails(
      { ...chartFiles('wf'), 'charts/big-1.0.0.tgz': tgz },
      () => {},
      'charts/big-1.0.0.tgz',
      /larger than the maximum/,
    );
  });

  it('stops inflating a gzip bomb (a tiny chart followed by 1 GiB of zeros)', async () => {
    const chart = Buffer.concat([
      tarHeader('bomb/Chart.yaml', 34),
      Buffer.from('apiVersion: v1\nname: bomb\nversion: 1.0.0\n'.slice(0, 34).padEnd(512, '\0')),
    ]);
    // gzip of 1 GiB of zeros is ~1 MiB: built from one deflated 64 MiB block repeated (gzip members concatenate).
    const zeros = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const tgz = Buffer.concat([gzipSync(chart), ...Array.from({ length: 16 }, () => zeros)]);
    expect(tgz.length).toBeLessThan(2 * 1024 * 1024);
    await packageFails(
      { ...chartFiles('wf'), 'charts/bomb-1.0.0.tgz': tgz },
      () => {},
      'charts/bomb-1.0.0.tgz',
      /larger than the maximum chart size|does not appear to be a valid chart/,
    );
  });
});

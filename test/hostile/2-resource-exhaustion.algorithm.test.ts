// Class 2 (inflation and allocation that would not end), kaapana-otsu's NRRD reader: gzip data is
// inflated no further than the header's declared size (an error when the stream is longer or
// shorter), and a declared size the file cannot hold is refused before anything is allocated. Every
// case runs under the suite's memory limit (prlimit --data=1GiB, 192 MB V8 heap): without the bound
// the 1.6 GiB bomb below kills the process instead of a clean exit 1.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { constants as zlibConstants, deflateRawSync, gzipSync } from 'node:zlib';
import { afterEach, describe, it } from 'vitest';
import { expectChangesOnlyUnder, scratch, snapshot, writeTree, type Scratch } from './harness.js';
import { expectOtsuFailure, gzipBomb, nrrdHeader, runOtsu } from './algorithm.js';

let s: Scratch;
afterEach(() => s?.cleanup());

async function expectRefused(name: string, bytes: Buffer, message: RegExp): Promise<void> {
  s = scratch('otsu-nrrd');
  writeTree(s.ws, { [name]: bytes });
  const before = snapshot(s.root);
  const run = await runOtsu(['--input', name, '--output', 'out'], s);
  expectOtsuFailure(run, { file: join(s.ws, name), message });
  expectChangesOnlyUnder(before, snapshot(s.root), []);
}

describe('kaapana-otsu: NRRD sizes bounded by the header', () => {
  it('stops a gzip bomb (256 KiB declared, 1.6 GiB inflated) at the declared size', async () => {
    const header = nrrdHeader({ type: 'unsigned char', sizes: [64, 64, 64], encoding: 'gzip' });
    await expectRefused(
      'bomb.nrrd',
      Buffer.concat([Buffer.from(header), gzipBomb(100)]),
      /inflates to more than the 262144 bytes the header declares/,
    );
  });

  it('refuses gzip data that inflates to less than declared', async () => {
    const header = nrrdHeader({ type: 'short', sizes: [64, 64, 8], encoding: 'gzip' });
    await expectRefused(
      'short.nrrd',
      Buffer.concat([Buffer.from(header), gzipSync(randomBytes(1000))]),
      /inflates to 1000 bytes, the header declares 65536/,
    );
  });

  it('refuses a declared size no gzip data of this length can hold, before allocating it', async () => {
    const header = nrrdHeader({ type: 'float', sizes: [4096, 4096, 4096], encoding: 'gzip' });
    await expectRefused(
      'huge-gz.nrrd',
      Buffer.concat([Buffer.from(header), gzipSync(Buffer.alloc(1000))]),
      /declares 274877906944 bytes, more than \d+ bytes of gzip data can hold/,
    );
  });

  it('refuses a declared raw size larger than the file, before allocating it', async () => {
    const header = nrrdHeader({ type: 'short', sizes: [100000, 100000, 100], encoding: 'raw' });
    await expectRefused(
      'huge-raw.nrrd',
      Buffer.concat([Buffer.from(header), Buffer.alloc(4096)]),
      /declares 2000000000000 bytes of raw data, the file has 4096 after the header/,
    );
  });
});

/** A Part-10 file with Deflated Explicit VR Little Endian whose data set inflates to `mib` MiB of zeros. */
function deflatedDicomBomb(mib: number): Buffer {
  const element = (tag: [number, number], vr: string, value: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt16LE(tag[0], 0);
    head.writeUInt16LE(tag[1], 2);
    head.write(vr, 4, 'latin1');
    head.writeUInt16LE(value.length, 6);
    return Buffer.concat([head, value]);
  };
  const uid = (s: string): Buffer => Buffer.from(s.length % 2 ? `${s}\0` : s, 'latin1');
  const meta = Buffer.concat([
    element([2, 2], 'UI', uid('1.2.840.10008.5.1.4.1.1.7')),
    element([2, 3], 'UI', uid('1.2.3.4')),
    element([2, 0x10], 'UI', uid('1.2.840.10008.1.2.1.99')),
  ]);
  const groupLength = Buffer.alloc(12);
  groupLength.writeUInt16LE(2, 0);
  groupLength.write('UL', 4, 'latin1');
  groupLength.writeUInt16LE(4, 6);
  groupLength.writeUInt32LE(meta.length, 8);
  // Fully flushed deflate segments are self-contained and byte-aligned: repeated, then an empty final block.
  const segment = deflateRawSync(Buffer.alloc(64 * 1024 * 1024), { finishFlush: zlibConstants.Z_FULL_FLUSH });
  const body = Buffer.concat([
    ...Array.from({ length: Math.ceil(mib / 64) }, () => segment),
    Buffer.from([0x03, 0x00]),
  ]);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), groupLength, meta, body]);
}

describe('kaapana-otsu: deflated DICOM data sets bounded', () => {
  it('stops a deflate bomb (320 MiB inflated) at 256 MiB with an error naming the file', async () => {
    const bomb = deflatedDicomBomb(320);
    await expectRefused('bomb.dcm', bomb, /deflated data set inflates to more than 268435456 bytes/);
  });
});

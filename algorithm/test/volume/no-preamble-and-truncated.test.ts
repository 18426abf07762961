// Reader cases of issue 19 part 1, through both readers (native TypeScript and itk-wasm's GDCM):
// - DICOM files without preamble (ACR-NEMA style, as GDCM's FileMetaInformation::ReadCompat reads
//   them: no File Meta in implicit VR LE, explicit VR LE or explicit VR big endian, and File Meta
//   without the 128-byte preamble) give the same volume as the Part-10 file they were made from;
// - pixel data cut short is an error naming the file (never a mask from partial data).
// The files are made from real samples with dcmtk's dcmconv (`-F`: data set without File Meta) and
// by cutting bytes off, among them a real file without File Meta (data/PROVENANCE.md); nothing is hand-written.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readVolumes } from '../../src/volume/read-volume.js';
import { OtsuError } from '../../src/errors.js';

const here = dirname(fileURLToPath(import.meta.url));
const data = join(here, '..', 'data');
const work = mkdtempSync(join(tmpdir(), 'kx-no-preamble-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const saved = process.env.KAAPANA_OTSU_READER;
afterEach(() => {
  if (saved === undefined) delete process.env.KAAPANA_OTSU_READER;
  else process.env.KAAPANA_OTSU_READER = saved;
});
function useReader(reader: 'native' | 'itk-wasm'): void {
  if (reader === 'itk-wasm') process.env.KAAPANA_OTSU_READER = 'itk-wasm';
  else delete process.env.KAAPANA_OTSU_READER;
}

/** The files of `input` (a file or a directory) re-encoded without preamble into a new directory. */
function withoutPreamble(
  name: string,
  input: string,
  how: 'implicit-le' | 'explicit-le' | 'explicit-be' | 'meta-no-preamble',
): string {
  const out = join(work, name);
  mkdirSync(out, { recursive: true });
  const files = input.endsWith('.dcm') ? [input] : readdirSync(input).map((f) => join(input, f));
  for (const f of files) {
    const target = join(out, f.split('/').pop()!);
    if (how === 'meta-no-preamble') {
      writeFileSync(target, readFileSync(f).subarray(132)); // from the first File Meta element on
    } else {
      const ts = { 'implicit-le': '+ti', 'explicit-le': '+te', 'explicit-be': '+tb' }[how];
      execFileSync('dcmconv', ['-q', '-F', ts, f, target], { stdio: 'pipe' });
    }
  }
  return input.endsWith('.dcm') ? join(out, input.split('/').pop()!) : out;
}

function expectSameVolume(
  a: Awaited<ReturnType<typeof readVolumes>>,
  b: Awaited<ReturnType<typeof readVolumes>>,
): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!.image;
    const y = b[i]!.image;
    expect(x.imageType).toEqual(y.imageType);
    expect(x.size).toEqual(y.size);
    expect(Array.from(x.spacing)).toEqual(Array.from(y.spacing));
    expect(Array.from(x.origin)).toEqual(Array.from(y.origin));
    expect(Array.from(x.direction as ArrayLike<number>)).toEqual(Array.from(y.direction as ArrayLike<number>));
    expect(
      Buffer.from(
        (x.data as Uint16Array).buffer,
        (x.data as Uint16Array).byteOffset,
        (x.data as Uint16Array).byteLength,
      ),
    ).toEqual(
      Buffer.from(
        (y.data as Uint16Array).buffer,
        (y.data as Uint16Array).byteOffset,
        (y.data as Uint16Array).byteLength,
      ),
    );
  }
}

describe('DICOM without preamble is read like GDCM reads it', () => {
  const cases: [string, string, 'implicit-le' | 'explicit-le' | 'explicit-be' | 'meta-no-preamble'][] = [
    ['siemens-implicit', 'series/mr-siemens-2slice', 'implicit-le'], // the ACR-NEMA case: MR, implicit VR LE, no File Meta
    ['ct5n-explicit', 'series/ct5n', 'explicit-le'],
    ['mr-big-endian', 'mr-small-big-endian.dcm', 'explicit-be'],
    ['ct-meta-only', 'ct-small.dcm', 'meta-no-preamble'],
    ['rle-meta-only', 'mr-small-rle.dcm', 'meta-no-preamble'], // compressed: itk-wasm either way
  ];
  for (const [name, input, how] of cases) {
    for (const reader of ['native', 'itk-wasm'] as const) {
      it(`${input} as ${how}, ${reader} reader: the volume of the Part-10 file`, async () => {
        useReader(reader);
        const original = await readVolumes(join(data, input));
        const stripped = withoutPreamble(`${name}-${reader}`, join(data, input), how);
        const first = stripped.endsWith('.dcm') ? stripped : join(stripped, readdirSync(stripped)[0]!);
        expect(readFileSync(first).subarray(128, 132).toString('latin1')).not.toBe('DICM');
        expectSameVolume(await readVolumes(stripped), original);
      });
    }
  }

  it('bytes that start with no DICOM element are still "not a DICOM file", naming it', async () => {
    const f = join(work, 'text.dcm');
    writeFileSync(f, 'hello, this is not DICOM at all '.repeat(10));
    await expect(readVolumes(f)).rejects.toThrow(/not a DICOM file: no preamble/);
    await expect(readVolumes(f)).rejects.toBeInstanceOf(OtsuError);
  });
});

describe('pixel data cut short is an error naming the file, with either reader', () => {
  const cut = (name: string, source: string, bytes: number): string => {
    const whole = readFileSync(join(data, source));
    const f = join(work, `cut-${name}.dcm`);
    writeFileSync(f, whole.subarray(0, whole.length - bytes));
    return f;
  };
  const cases: [string, string, number, RegExp][] = [
    [
      'native',
      'ct-small.dcm',
      1000,
      /pixel data is truncated: 31906 bytes, but 128×128 pixels × 1 frame\(s\) × 1 sample\(s\) × 16 bits need 32768/,
    ],
    ['native-one-byte', 'rtdose-multiframe.dcm', 1, /pixel data is truncated: 5999 bytes/],
    [
      'multi-frame',
      'rtdose-multiframe.dcm',
      1000,
      /pixel data is truncated: 5000 bytes, but 10×10 pixels × 15 frame\(s\)/,
    ],
    ['big-endian', 'mr-small-big-endian.dcm', 1000, /pixel data is truncated/],
    [
      'rle',
      'mr-small-rle.dcm',
      1000,
      /pixel data is truncated: a fragment of the encapsulated Pixel Data runs past the end/,
    ],
    ['jpeg2000', 'ct-jpeg2000-lossy.dcm', 1000, /pixel data is truncated/],
    ['deflated', 'ot-deflate.dcm', 1000, /file is truncated: its deflated data set ends early/],
    // From Debian packages the cases above do not come from (dicom3tools, dicomnifti, libgdcm3.0):
    [
      'mr-oblique',
      'series/mr-asl-one-position/0051.dcm',
      1000,
      /pixel data is truncated: 258200 bytes, but 360×360 pixels × 1 frame\(s\) × 1 sample\(s\) × 16 bits need 259200/,
    ],
    [
      'no-meta-one-byte',
      'series/mr-asl-one-position/0001-implicit-no-meta.dcm',
      1,
      /pixel data is truncated: 259199 bytes, but 360×360 pixels/,
    ],
    [
      'xa-jpeg-lossless',
      'xa-jpeg-lossless-multiframe.dcm',
      1000,
      /pixel data is truncated: a fragment of the encapsulated Pixel Data runs past the end/,
    ],
    [
      'xa-jpeg-lossless-one-byte',
      'xa-jpeg-lossless-multiframe.dcm',
      1,
      /pixel data is truncated: the file ends inside/,
    ],
  ];
  for (const [name, source, bytes, message] of cases) {
    for (const reader of ['native', 'itk-wasm'] as const) {
      it(`${source} less its last ${bytes} byte(s), ${reader} reader`, async () => {
        useReader(reader);
        const f = cut(`${name}-${reader}`, source, bytes);
        const err = await readVolumes(f).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(OtsuError);
        expect((err as OtsuError).file).toBe(f);
        expect((err as OtsuError).message).toMatch(message);
      });
    }
  }

  it('a series with one cut file: the error names that file', async () => {
    const dir = join(work, 'cut-series');
    mkdirSync(dir);
    const files = readdirSync(join(data, 'series/ct5n'));
    for (const f of files) writeFileSync(join(dir, f), readFileSync(join(data, 'series/ct5n', f)));
    const victim = join(dir, files[2]!);
    const whole = readFileSync(victim);
    writeFileSync(victim, whole.subarray(0, whole.length - 100)); // 512 bytes of pixel data
    await expect(readVolumes(dir)).rejects.toMatchObject({
      file: victim,
      message: expect.stringMatching(/^pixel data is truncated/),
    });
  });

  for (const reader of ['native', 'itk-wasm'] as const) {
    it(`a real series whose file without File Meta is cut: the error names that file, ${reader} reader`, async () => {
      useReader(reader);
      const dir = join(work, `cut-asl-${reader}`);
      mkdirSync(dir);
      for (const f of readdirSync(join(data, 'series/mr-asl-one-position'))) {
        writeFileSync(join(dir, f), readFileSync(join(data, 'series/mr-asl-one-position', f)));
      }
      const victim = join(dir, '0001-implicit-no-meta.dcm');
      const whole = readFileSync(victim);
      writeFileSync(victim, whole.subarray(0, whole.length - 2));
      await expect(readVolumes(dir)).rejects.toMatchObject({
        file: victim,
        message: expect.stringMatching(/^pixel data is truncated: 259198 bytes/),
      });
    });
  }
});

// The kaapana-otsu CLI end to end on real sample data: the five output files for a DICOM series
// (mask.nrrd read back with ITK's NRRD reader, seg.dcm parsed, report files, result.json against the
// ITK regression values), NRRD input, --mask-only, series selection, and bad input failing with one
// clear error naming the file and nothing written. The compiled bin is run once as a child process.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import dicomParser from 'dicom-parser';
import { readImageNode } from '@itk-wasm/image-io';
import { withTempDir } from '../temp-dir.js';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const here = dirname(fileURLToPath(import.meta.url));
const algorithm = join(here, '..', '..');
const data = join(algorithm, 'test', 'data');
const expected = JSON.parse(await readFile(join(algorithm, 'test', 'regression', 'expected.json'), 'utf8')) as {
  cases: { name: string; expected: { threshold: number; foregroundVoxels: number; totalVoxels: number } }[];
};
const refOf = (name: string) => expected.cases.find((c) => c.name === name)!.expected;
const FIVE = ['mask.nrrd', 'report.html', 'report.png', 'result.json', 'seg.dcm'];

describe('kaapana-otsu on a DICOM series', () => {
  it('writes mask.nrrd, seg.dcm, report.png, report.html and result.json matching ITK', async () => {
    await withTempDir('kx-otsu-cli-', async (tmp) => {
      const out = join(tmp, 'out');
      const run = await runCli(['--input', join(data, 'series', 'ct5n'), '--output', out, '--label', 'abdomen']);
      expect(run.stderr).not.toMatch(/error/);
      expect(run.code).toBe(0);
      expect((await readdir(out)).sort()).toEqual(FIVE);

      const ref = refOf('series-ct5n');
      const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
      expect(result.threshold).toBe(ref.threshold);
      expect(result.foregroundVoxels).toBe(ref.foregroundVoxels);
      expect(result.totalVoxels).toBe(ref.totalVoxels);
      expect(result.size).toEqual([16, 16, 5]);
      expect(result.pixelType).toBe('int32');
      expect(result.seg).toEqual({ status: 'written' });
      for (const key of ['spacing', 'origin', 'direction']) expect(result[key]).toBeInstanceOf(Array);

      // mask.nrrd: gzip-encoded NRRD, same grid as the series, 0/1 with the ITK voxel count.
      const nrrd = await readFile(join(out, 'mask.nrrd'));
      const header = nrrd.subarray(0, nrrd.indexOf('\n\n')).toString();
      expect(header).toMatch(/^NRRD/);
      expect(header).toMatch(/encoding: gzip/);
      expect(gunzipSync(nrrd.subarray(nrrd.indexOf('\n\n') + 2)).length).toBe(16 * 16 * 5);
      const mask = await readImageNode(join(out, 'mask.nrrd'));
      expect(mask.imageType.componentType).toBe('uint8');
      expect(mask.size).toEqual(result.size);
      expect(mask.spacing).toEqual(result.spacing);
      expect(mask.origin).toEqual(result.origin);
      expect(Array.from(mask.direction as ArrayLike<number>)).toEqual(result.direction);
      expect(Array.from(mask.data as Uint8Array).filter((v) => v === 1)).toHaveLength(ref.foregroundVoxels);

      // seg.dcm: a DICOM Segmentation referencing the series.
      const seg = dicomParser.parseDicom(new Uint8Array(await readFile(join(out, 'seg.dcm'))));
      expect(seg.string('x00080060')).toBe('SEG');
      expect(seg.string('x00080016')).toBe('1.2.840.10008.5.1.4.1.1.66.4');

      const png = await readFile(join(out, 'report.png'));
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      const html = await readFile(join(out, 'report.html'), 'utf8');
      expect(html).toContain('<html');
      expect(html).toContain(String(ref.threshold).replace('-', ''));
      expect(run.stdout).toContain(`threshold ${ref.threshold}`);
    });
  });

  it('writes only mask.nrrd and result.json with --mask-only, with custom values and bins', async () => {
    await withTempDir('kx-otsu-cli-', async (tmp) => {
      const out = join(tmp, 'out');
      const run = await runCli([
        '--input',
        join(data, 'series', 'ct5n'),
        '--output',
        out,
        '--mask-only',
        '--bins',
        '256',
        '--inside-value',
        '10',
        '--outside-value',
        '20',
        '--quiet',
      ]);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect((await readdir(out)).sort()).toEqual(['mask.nrrd', 'result.json']);
      const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
      expect(result.threshold).toBe(refOf('series-ct5n-256-bins').threshold);
      expect(result.bins).toBe(256);
      const mask = await readImageNode(join(out, 'mask.nrrd'));
      expect(new Set(mask.data as Uint8Array)).toEqual(new Set([10, 20]));
    });
  });

  it('picks one series of a directory with --series-uid and refuses the tri-planar one', async () => {
    await withTempDir('kx-otsu-cli-', async (tmp) => {
      const dir = join(data, 'series', 'mr-three-series');
      const bad = await runCli(['--input', dir, '--output', join(tmp, 'all')]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/mixed slice orientations in series .*0\.136/);
      expect(existsSync(join(tmp, 'all'))).toBe(false);
      const uid = '1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.481';
      const ok = await runCli(['--input', dir, '--output', join(tmp, 'one'), '--series-uid', uid, '--mask-only']);
      expect(ok.code).toBe(0);
      const result = JSON.parse(await readFile(join(tmp, 'one', 'result.json'), 'utf8'));
      expect(result.input.seriesInstanceUid).toBe(uid);
      expect(result.threshold).toBe(refOf('series-mr-three-series-pick-one').threshold);
    });
  });

  it('writes one sub-directory per series when a directory holds several', async () => {
    await withTempDir('kx-otsu-cli-', async (tmp) => {
      const input = join(tmp, 'in');
      await mkdir(input);
      for (const f of await readdir(join(data, 'series', 'ct5n')))
        await copyFile(join(data, 'series', 'ct5n', f), join(input, `a${f}`));
      for (const f of await readdir(join(data, 'series', 'ct-uneven')))
        await copyFile(join(data, 'series', 'ct-uneven', f), join(input, `b${f}`));
      const run = await runCli(['--input', input, '--output', join(tmp, 'out'), '--mask-only', '--quiet']);
      expect(run.code).toBe(0);
      const dirs = (await readdir(join(tmp, 'out'))).sort();
      expect(dirs).toEqual([
        '1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.6',
        '1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.2',
      ]);
      const r = JSON.parse(await readFile(join(tmp, 'out', dirs[1]!, 'result.json'), 'utf8'));
      expect(r.threshold).toBe(refOf('series-ct-uneven').threshold);
    });
  });
});

describe('kaapana-otsu when no DICOM SEG can be made', () => {
  it('keeps the other outputs of a CR image without Frame of Reference and says why there is no seg.dcm', async () => {
    await withTempDir('kx-otsu-cli-', async (tmp) => {
      const out = join(tmp, 'out');
      const run = await runCli(['--input', join(data, 'cr-monochrome1-rescaled.dcm'), '--output', out, '--quiet']);
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/kaapana-otsu: warning: no seg\.dcm: /);
      expect((await readdir(out)).sort()).toEqual(['mask.nrrd', 'report.html', 'report.png', 'result.json']);
      const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
      expect(result.seg.status).toBe('failed');
      expect(result.seg.message).toMatch(/no Frame of Reference UID/);
      expect(result.threshold).toBe(refOf('cr-monochrome1-rescaled').threshold);
    });
  });
});

describe('kaapana-otsu on image files', () => {
  it('segments a NRRD and skips the SEG (no DICOM source)', async () => {
    await withTempDir('kx-otsu-cli-', async (tmp) => {
      const out = join(tmp, 'out');
      const input = join(data, 'image-files', 'BrainProtonDensitySliceBorder20DirectionPlus30.nhdr');
      const run = await runCli(['--input', input, '--output', out, '--quiet']);
      expect(run.code).toBe(0);
      expect((await readdir(out)).sort()).toEqual(['mask.nrrd', 'report.html', 'report.png', 'result.json']);
      const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8'));
      expect(result.threshold).toBe(refOf('nrrd-detached-oblique-2d').threshold);
      expect(result.seg.status).toBe('skipped');
      // NRRD stores direction × spacing ("space directions"); reading it back divides again, so
      // spacing and cosines of an oblique image come back within a few ULPs, as with ITK's own
      // NRRD writer (axis-aligned geometry round-trips exactly, see the DICOM test above).
      const mask = await readImageNode(join(out, 'mask.nrrd'));
      mask.spacing.forEach((v, i) => expect(v).toBeCloseTo(result.spacing[i], 14));
      expect(mask.origin).toEqual(result.origin);
      Array.from(mask.direction as ArrayLike<number>).forEach((v, i) => expect(v).toBeCloseTo(result.direction[i], 14));
    });
  });
});

describe('bad input: one clear error naming the file, exit 1, nothing written', () => {
  async function expectFailure(input: string, out: string, pattern: RegExp, file: string): Promise<void> {
    const run = await runCli(['--input', input, '--output', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(pattern);
    expect(run.stderr).toContain(file);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('kaapana-otsu: error'))).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  }

  it('not DICOM', async () => {
    await withTempDir('kx-otsu-bad-', async (tmp) => {
      const f = join(tmp, 'notes.txt');
      await writeFile(f, 'hello, not an image\n'.repeat(20));
      await expectFailure(f, join(tmp, 'out'), /not a DICOM file/, f);
    });
  });
  it('empty directory', async () => {
    await withTempDir('kx-otsu-bad-', async (tmp) => {
      const d = join(tmp, 'empty');
      await mkdir(d);
      await expectFailure(d, join(tmp, 'out'), /no files/, d);
    });
  });
  it('missing pixel data', async () => {
    await withTempDir('kx-otsu-bad-', async (tmp) => {
      const f = join(data, 'bad', 'rtplan-no-pixel-data.dcm');
      await expectFailure(f, join(tmp, 'out'), /no pixel data/, f);
    });
  });
  it('mixed sizes in one series', async () => {
    await withTempDir('kx-otsu-bad-', async (tmp) => {
      const d = join(tmp, 'series');
      await mkdir(d);
      const src = join(data, 'series', 'ct5n');
      const files = (await readdir(src)).sort();
      for (const f of files) await copyFile(join(src, f), join(d, f));
      // Make one slice claim 8 rows instead of 16 (same series UID): patch the Rows value in place.
      const victim = join(d, files[2]!);
      const bytes = await readFile(victim);
      const ds = dicomParser.parseDicom(new Uint8Array(bytes), { untilTag: 'x7fe00010' });
      bytes.writeUInt16LE(8, ds.elements['x00280010']!.dataOffset);
      await writeFile(victim, bytes);
      await expectFailure(d, join(tmp, 'out'), /mixed image sizes/, victim);
    });
  });
  it('a directory with a non-DICOM file among the slices', async () => {
    await withTempDir('kx-otsu-bad-', async (tmp) => {
      const d = join(tmp, 'series');
      await mkdir(d);
      for (const f of await readdir(join(data, 'series', 'ct5n')))
        await copyFile(join(data, 'series', 'ct5n', f), join(d, f));
      await writeFile(join(d, 'README'), 'not dicom');
      await expectFailure(d, join(tmp, 'out'), /not a DICOM file/, join(d, 'README'));
    });
  });
  it('input that does not exist, and usage errors (exit 2)', async () => {
    await withTempDir('kx-otsu-bad-', async (tmp) => {
      await expectFailure(join(tmp, 'nope'), join(tmp, 'out'), /does not exist/, join(tmp, 'nope'));
      expect((await runCli(['--output', join(tmp, 'o')])).code).toBe(2);
      expect((await runCli(['--input', data, '--output', join(tmp, 'o'), '--bins', 'x'])).code).toBe(2);
      expect((await runCli(['--bogus'])).code).toBe(2);
      const help = await runCli(['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Usage: kaapana-otsu/);
    });
  });
});

describe('the kaapana-otsu bin', () => {
  it('runs as a child process from the compiled lib', async () => {
    if (!existsSync(join(algorithm, 'lib', 'cli.js'))) {
      await promisify(execFile)('npx', ['tsc', '-b', 'tsconfig.build.json'], { cwd: join(algorithm, '..') });
    }
    await withTempDir('kx-otsu-bin-', async (tmp) => {
      const { stdout } = await promisify(execFile)(process.execPath, [
        join(algorithm, 'bin', 'kaapana-otsu.js'),
        '--input',
        join(data, 'ct-small.dcm'),
        '--output',
        tmp,
        '--quiet',
      ]);
      expect(stdout).toContain(`threshold ${refOf('ct-small').threshold}`);
      expect((await readdir(tmp)).sort()).toEqual(FIVE);
    });
  });
});

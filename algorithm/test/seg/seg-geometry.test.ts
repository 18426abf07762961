// DICOM SEG for every series a SEG can describe (issue 19 part 2), end to end through the CLI on real
// sample data: unevenly spaced, oblique, multi-frame, without preamble (also a real file of that kind,
// from a Debian package the other cases do not come from). Each seg.dcm must pass
// dicom3tools' dciodvfy without an Error line, and dcmtk's reading of it (dcm2json) must give, frame
// by frame, the mask of mask.nrrd at the slice of the source instance the frame references, placed
// at that instance's Image Position (Patient). Sources a SEG cannot describe (slices sharing one
// position, no Frame of Reference) keep the other outputs, with a warning and seg.status "failed".
// Segment attributes from a dcmqi metadata JSON as Kaapana's dcmqi container writes it
// (kaapana data-processing/kaapana-plugin/processing-containers/dcmqi/files/itkimage2segimage.py,
// create_segment_attribute: both codes from its code_lookup_table.json with CodeMeaning = the label,
// SegmentLabel "", a type modifier whose scheme is the "SNOMED-RT ID (Retired)" column).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { withTempDir } from '../temp-dir.js';
import { runCli } from '../cli/run-cli.js';
import { readVolumes } from '../../src/volume/index.js';
import { dciodvfy, dcm2json, first, inlineBinary, value, type DicomJson } from './dicom-json.js';

const data = fileURLToPath(new URL('../data/', import.meta.url));

interface Instance {
  file: string;
  sop: string;
  frames: number;
  positions: number[][]; // per frame
}

async function sourceInstances(input: string): Promise<Instance[]> {
  const files = input.endsWith('.dcm') ? [input] : readdirSync(input).map((f) => join(input, f));
  const out: Instance[] = [];
  for (const file of files) {
    const j = await dcm2json(file);
    const frames = Number(j['00280008']?.Value?.[0] ?? 1);
    const ipp = value(j, '00200032') as number[];
    const offsets = j['3004000C'] ? (value(j, '3004000C') as number[]) : [0];
    const iop = value(j, '00200037') as number[];
    const n = [
      iop[1]! * iop[5]! - iop[2]! * iop[4]!,
      iop[2]! * iop[3]! - iop[0]! * iop[5]!,
      iop[0]! * iop[4]! - iop[1]! * iop[3]!,
    ];
    out.push({
      file,
      sop: first(j, '00080018') as string,
      frames,
      positions: offsets.map((o) => ipp.map((p, i) => p + o * n[i]!)),
    });
  }
  return out;
}

function unpack(bytes: Buffer, frame: number, size: number): number[] {
  const out: number[] = [];
  for (let p = 0; p < size; p++) {
    const bit = frame * size + p;
    out.push((bytes[bit >> 3]! >> (bit & 7)) & 1);
  }
  return out;
}

/** Runs the CLI on `input`; checks seg.dcm against dciodvfy, the source and mask.nrrd frame by frame. */
async function checkSeg(input: string, out: string): Promise<DicomJson> {
  const run = await runCli(['--input', input, '--output', out, '--quiet']);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toBe('');
  expect(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')).seg).toEqual({ status: 'written' });
  const v = await dciodvfy(join(out, 'seg.dcm'));
  expect(v.errors, v.output).toEqual([]);
  const seg = await dcm2json(join(out, 'seg.dcm'));
  const [mask] = await readVolumes(join(out, 'mask.nrrd'));
  const [nx, ny, nz] = mask!.image.size as [number, number, number];
  const voxels = mask!.image.data as Uint8Array;
  const instances = await sourceInstances(input);
  // Slice k of the mask ↔ the k-th source frame along the slice axis (what ITK stacks).
  const d = Array.from(mask!.image.direction as ArrayLike<number>, Number);
  const axis = [d[2]!, d[5]!, d[8]!];
  const slices = instances
    .flatMap((inst) => inst.positions.map((p, f) => ({ inst, frame: f + 1, p })))
    .sort((a, b) =>
      instances.length > 1
        ? a.p.reduce((s, x, i) => s + x * axis[i]!, 0) - b.p.reduce((s, x, i) => s + x * axis[i]!, 0)
        : 0,
    );
  expect(slices).toHaveLength(nz);
  expect([first(seg, '00280011'), first(seg, '00280010'), first(seg, '00280008')]).toEqual([nx, ny, nz]);
  const pixels = inlineBinary(seg, '7FE00010');
  const perFrame = value(seg, '52009230') as DicomJson[];
  const seen = new Set<number>();
  perFrame.forEach((item, f) => {
    const pos = value(item, '00209113', 0, '00200032') as number[];
    const k = slices.findIndex((s) => s.p.every((x, i) => Math.abs(x - pos[i]!) < 1e-3));
    expect(k, `frame ${f + 1} at ${pos.join('\\')}`).toBeGreaterThanOrEqual(0);
    seen.add(k);
    const ref = value(item, '00089124', 0, '00082112', 0) as unknown as DicomJson[];
    expect(first(ref as unknown as DicomJson, '00081155')).toBe(slices[k]!.inst.sop);
    if (slices[k]!.inst.frames > 1) expect(first(ref as unknown as DicomJson, '00081160')).toBe(slices[k]!.frame);
    expect(unpack(pixels, f, nx * ny), `frame ${f + 1} = mask slice ${k}`).toEqual(
      Array.from(voxels.subarray(k * nx * ny, (k + 1) * nx * ny)),
    );
  });
  expect(seen.size).toBe(nz);
  return seg;
}

describe('DICOM SEG for every series a SEG can describe', () => {
  const cases: [string, string][] = [
    ['unevenly spaced CT series', 'series/ct-uneven'],
    ['oblique MR series (implicit VR)', 'series/mr-siemens-2slice'],
    ['multi-frame RT Dose (15 frames, Grid Frame Offset Vector)', 'rtdose-multiframe.dcm'],
    ['5-slice CT series, file names against slice order', 'series/ct5n'],
    ['single CT slice', 'ct-small.dcm'],
    // From Debian packages not drawn from before (dicom3tools, dicomnifti; see data/PROVENANCE.md):
    ['oblique MR slice (Siemens PASL mosaic image, explicit VR)', 'series/mr-asl-one-position/0051.dcm'],
    [
      'real MR file without preamble and File Meta (ACR-NEMA style, implicit VR), oblique',
      'series/mr-asl-one-position/0001-implicit-no-meta.dcm',
    ],
  ];
  for (const [what, input] of cases) {
    it(`${what}: valid, equal to the mask frame by frame, referencing the source`, async () => {
      await withTempDir('kx-seg-geo-', async (tmp) => {
        await checkSeg(join(data, input), join(tmp, 'out'));
      });
    });
  }

  it('a series without preamble and File Meta (ACR-NEMA style, made with dcmconv -F)', async () => {
    await withTempDir('kx-seg-geo-', async (tmp) => {
      const input = join(tmp, 'in');
      mkdirSync(input);
      for (const f of readdirSync(join(data, 'series/mr-siemens-2slice'))) {
        execFileSync('dcmconv', ['-q', '-F', '+ti', join(data, 'series/mr-siemens-2slice', f), join(input, f)]);
      }
      await checkSeg(input, join(tmp, 'out'));
    });
  });

  it("uneven series: the frames keep their real, uneven positions (not ITK's uniform grid)", async () => {
    await withTempDir('kx-seg-geo-', async (tmp) => {
      const seg = await checkSeg(join(data, 'series/ct-uneven'), join(tmp, 'out'));
      const z = (value(seg, '52009230') as DicomJson[]).map(
        (it) => (value(it, '00209113', 0, '00200032') as number[])[2]!,
      );
      const gaps = z.slice(1).map((v, i) => Number((v - z[i]!).toFixed(2)));
      expect(new Set(gaps).size).toBeGreaterThan(1);
    });
  });
});

describe('where no SEG is possible: a warning, seg.status "failed" with the reason, the other outputs', () => {
  const noSeg = async (input: string, reason: RegExp) =>
    withTempDir('kx-seg-none-', async (tmp) => {
      const out = join(tmp, 'out');
      const run = await runCli(['--input', input, '--output', out, '--quiet']);
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/^kaapana-otsu: warning: no seg\.dcm: /);
      expect(run.stderr).toMatch(reason);
      expect(readdirSync(out).sort()).toEqual(['mask.nrrd', 'report.html', 'report.png', 'result.json']);
      const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
      expect(result.seg.status).toBe('failed');
      expect(result.seg.message).toMatch(reason);
    });

  it('slices sharing one position (two files at one Image Position)', async () => {
    await withTempDir('kx-seg-shared-', async (tmp) => {
      const input = join(tmp, 'in');
      mkdirSync(input);
      for (const f of ['0.dcm', '1.dcm']) copyFileSync(join(data, 'series/mr-siemens-2slice', f), join(input, f));
      const j = await dcm2json(join(input, '0.dcm'));
      const ipp = (value(j, '00200032') as number[]).join('\\');
      execFileSync('dcmodify', ['-nb', '-q', '-m', `(0020,0032)=${ipp}`, join(input, '1.dcm')]);
      await noSeg(input, /lie at one position .*: a SEG stores one position per frame/);
    });
  });

  it('no Frame of Reference (a CR image)', async () => {
    await noSeg(join(data, 'cr-monochrome1-rescaled.dcm'), /no Frame of Reference UID/);
  });

  it('no Frame of Reference (a 4-frame XA, JPEG lossless)', async () => {
    await noSeg(join(data, 'xa-jpeg-lossless-multiframe.dcm'), /no Frame of Reference UID/);
  });

  it('two real acquisitions at one position (one of them without File Meta)', async () => {
    await noSeg(
      join(data, 'series/mr-asl-one-position'),
      /lie at one position .*: a SEG stores one position per frame/,
    );
  });
});

describe("segment attributes as Kaapana's Itk2DcmSegOperator gives them (--seg-metadata)", () => {
  it('takes label, codes, colour, series and creator from a dcmqi metadata JSON', async () => {
    await withTempDir('kx-seg-meta-', async (tmp) => {
      const meta = join(tmp, 'abdomen.json');
      // What itkimage2segimage.py writes for single_label_seg_info="abdomen", series_description
      // "Otsu's method", alg_name "otsus-method" (colour drawn at random there; fixed here).
      const code = { CodeValue: '818981001', CodingSchemeDesignator: 'SCT', CodeMeaning: 'abdomen' };
      writeFileSync(
        meta,
        JSON.stringify({
          '@schema': 'https://raw.githubusercontent.com/qiicr/dcmqi/master/doc/schemas/seg-schema.json#',
          ContentCreatorName: 'kaapana',
          SeriesNumber: '300',
          InstanceNumber: '1',
          SeriesDescription: "Otsu's method",
          segmentAttributes: [
            [
              {
                labelID: 1,
                SegmentAlgorithmType: 'AUTOMATIC',
                SegmentAlgorithmName: 'otsus-method',
                recommendedDisplayRGBValue: [12, 34, 255],
                SegmentLabel: '',
                SegmentedPropertyCategoryCodeSequence: code,
                SegmentedPropertyTypeCodeSequence: code,
                SegmentedPropertyTypeModifierCodeSequence: { ...code, CodingSchemeDesignator: '' },
              },
            ],
          ],
        }),
      );
      const out = join(tmp, 'out');
      const run = await runCli([
        '--input',
        join(data, 'series/ct5n'),
        '--output',
        out,
        '--quiet',
        '--seg-metadata',
        meta,
      ]);
      expect(run.code, run.stderr).toBe(0);
      const v = await dciodvfy(join(out, 'seg.dcm'));
      expect(v.errors, v.output).toEqual([]);
      const seg = await dcm2json(join(out, 'seg.dcm'));
      expect(first(seg, '00200011')).toBe(300);
      expect(first(seg, '0008103E')).toBe("Otsu's method");
      expect(first(seg, '00700084')).toEqual({ Alphabetic: 'kaapana' });
      const s = (value(seg, '00620002') as DicomJson[])[0]!;
      expect(first(s, '00620005')).toBe('abdomen'); // empty SegmentLabel: the --label default
      expect(first(s, '00620009')).toBe('otsus-method');
      for (const seq of ['00620003', '0062000F']) {
        expect([first(s, seq, 0, '00080100'), first(s, seq, 0, '00080102'), first(s, seq, 0, '00080104')]).toEqual([
          '818981001',
          'SCT',
          'abdomen',
        ]);
      }
      expect(s['0062000F']!.Value![0] as DicomJson).not.toHaveProperty('00620011'); // incomplete modifier dropped
      expect(value(s, '0062000D')).toHaveLength(3);
    });
  });

  it('a bad metadata file stops the run before anything is computed, naming it', async () => {
    await withTempDir('kx-seg-meta-', async (tmp) => {
      const meta = join(tmp, 'bad.json');
      writeFileSync(meta, JSON.stringify({ segmentAttributes: [[{ SegmentAlgorithmType: 'GUESSED' }]] }));
      const out = join(tmp, 'out');
      const run = await runCli([
        '--input',
        join(data, 'series/ct5n'),
        '--output',
        out,
        '--quiet',
        '--seg-metadata',
        meta,
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `kaapana-otsu: error: ${meta}: segment algorithm type must be AUTOMATIC, SEMIAUTOMATIC or MANUAL, got "GUESSED"\n`,
      );
      expect(readdirSync(tmp)).toEqual(['bad.json']);
    });
  });
});

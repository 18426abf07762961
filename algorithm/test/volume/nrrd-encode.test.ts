// The TypeScript NRRD encoder against ITK's own NRRDImageIO (itk-wasm's nrrd-write-image): same
// header text, same voxels after gunzip, for every sample volume and for each pixel type with
// awkward geometry; "%.17g" against C's printf (python3's % operator uses it).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Image, ImageType, PixelTypes } from 'itk-wasm';
import { describe, expect, it } from 'vitest';
import { readVolumes } from '../../src/index.js';
import { encodeNrrd, formatG17 } from '../../src/volume/nrrd-encode.js';
import { patternImage, type Geometry } from './pattern-image.js';
import { writeNrrdCached } from '../../src/volume/wasm-pipelines.js';

const data = join(import.meta.dirname, '..', 'data');

function split(file: Uint8Array): { header: string; voxels: Buffer } {
  const b = Buffer.from(file);
  const end = b.indexOf('\n\n') + 2;
  return { header: b.subarray(0, end).toString('latin1'), voxels: gunzipSync(b.subarray(end)) };
}

async function expectSameAsItk(image: Image): Promise<void> {
  const ours = encodeNrrd(image);
  expect(ours).toBeDefined();
  const itk = split(await writeNrrdCached(image, 'x.nrrd'));
  const mine = split(ours!);
  expect(mine.header).toBe(itk.header);
  expect(mine.voxels.equals(itk.voxels)).toBe(true);
}

const image = (componentType: string, dims: number[], geometry: Geometry): Image =>
  patternImage(componentType, dims, geometry);

describe('encodeNrrd', () => {
  it('writes what ITK writes for every sample DICOM file and series', async () => {
    const inputs = [
      ...readdirSync(data)
        .filter((f) => f.endsWith('.dcm'))
        .map((f) => join(data, f)),
      ...readdirSync(join(data, 'series')).map((d) => join(data, 'series', d)),
      join(data, 'image-files', 'BrainProtonDensity3Slices.mha'),
      join(data, 'image-files', 'anatomical.nii'),
    ];
    let n = 0;
    for (const input of inputs) {
      for (const v of await readVolumes(input).catch(() => [])) {
        if (v.image.imageType.dimension !== 3) continue;
        // MetaImage/NIfTI readers fill a metadata dictionary, which this encoder leaves to ITK.
        v.image.metadata = new Map();
        await expectSameAsItk(v.image);
        n++;
      }
    }
    expect(n).toBeGreaterThanOrEqual(15);
  }, 60_000);

  it('writes what ITK writes for each pixel type with oblique, negative and tiny geometry', async () => {
    const c = Math.cos(0.3),
      s = Math.sin(0.3);
    const geometry = {
      spacing: [0.1, 1e-7, 123456.789],
      origin: [-0, -1.5e-5, 1e21],
      direction: [c, -s, -0, s * 0.5, c * 0.5, Math.sqrt(0.75), -s * Math.sqrt(0.75), -c * Math.sqrt(0.75), 0.5],
    };
    for (const t of ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64']) {
      await expectSameAsItk(image(t, [5, 3, 2], geometry));
    }
  });

  it('declines what it does not cover, so ITK writes it', () => {
    const withMeta = image('uint8', [2, 2, 2], {
      spacing: [1, 1, 1],
      origin: [0, 0, 0],
      direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    });
    withMeta.metadata.set('Modality', 'CT');
    expect(encodeNrrd(withMeta)).toBeUndefined();
    const g = { spacing: [1, 1, 1], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
    const img2d = new Image(new ImageType(2, 'uint8' as never, PixelTypes.Scalar, 1));
    img2d.size = [2, 2];
    img2d.data = new Uint8Array(4);
    expect(encodeNrrd(img2d)).toBeUndefined();
    expect(encodeNrrd(image('uint8', [2, 2, 2], { ...g, origin: [Number.NaN, 0, 0] }))).toBeUndefined();
  });
});

describe('formatG17', () => {
  it('prints doubles like printf("%.17g")', () => {
    const values = [
      0.1,
      -0.1,
      1,
      -1,
      2.5,
      1 / 3,
      1e-4,
      1.5e-5,
      9.99999e-5,
      123456789012345680,
      1e16,
      1e17,
      1e21,
      -1e-300,
      5e-324,
      Number.MAX_VALUE,
      1.7968503685274144,
      -825.019119,
      0.015708004587586245,
      100,
      1e-7,
    ];
    const c = execFileSync('python3', [
      '-c',
      `import sys\nfor v in sys.argv[1:]: print('%.17g' % float(v))`,
      ...values.map(String),
    ])
      .toString()
      .trim()
      .split('\n');
    expect(values.map(formatG17)).toEqual(c);
    expect(formatG17(-0)).toBe('-0');
    expect(formatG17(0)).toBe('0');
  });
});

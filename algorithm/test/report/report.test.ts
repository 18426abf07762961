// Report rendering on a synthetic volume whose expected picture is worked out by hand: a box of
// value 100 (the mask) in a background of 20, spacing 1×1×2 mm, grey window 0..100. The PNG is
// decoded back and checked at known pixels; the HTML is checked for the figures, escaping and
// XML well-formedness; the JSON figures are checked against the box volume.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLValidator } from 'fast-xml-parser';
import { Image, ImageType, IntTypes, PixelTypes } from 'itk-wasm';
import { OtsuError } from '../../src/errors.js';
import { otsuMask } from '../../src/otsu/index.js';
import {
  computeFigures,
  escapeHtml,
  formatNumber,
  renderReportImages,
  reportHistogramOf,
  writeReport,
  type ReportHistogram,
} from '../../src/report/index.js';
import { decodePng } from './decode-png.js';

const SIZE = [20, 16, 10] as const;
const inBox = (x: number, y: number, z: number): boolean => x >= 8 && y >= 4 && y < 12 && z >= 5;

function volume(direction = [1, 0, 0, 0, 1, 0, 0, 0, 1]): { image: Image; mask: Image } {
  const [nx, ny, nz] = SIZE;
  const make = (type: (typeof IntTypes)[keyof typeof IntTypes]): Image => {
    const img = new Image(new ImageType(3, type, PixelTypes.Scalar, 1));
    img.size = [...SIZE];
    img.spacing = [1, 1, 2];
    img.origin = [-10, -8, 0];
    img.direction = Float64Array.from(direction);
    return img;
  };
  const image = make(IntTypes.Int16);
  const mask = make(IntTypes.UInt8);
  const v = new Int16Array(nx * ny * nz);
  const m = new Uint8Array(nx * ny * nz);
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = x + nx * (y + ny * z);
        v[i] = inBox(x, y, z) ? 100 : 20;
        m[i] = inBox(x, y, z) ? 1 : 0;
      }
  image.data = v;
  mask.data = m;
  return { image, mask };
}

const histogram: ReportHistogram = {
  binMin: [0, 25, 50, 75],
  binMax: [25, 50, 75, 100],
  counts: new Float64Array([3200 - 480, 0, 0, 480]),
  threshold: 50,
};
const window = { center: 50, width: 100 };
const GREY20 = [51, 51, 51, 255]; // 20 in window 0..100
const TINTED = [255, 153, 153, 255]; // white blended with red at 0.4
const BLACK = [0, 0, 0, 255]; // panel background outside the picture

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kx-report-test-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('computeFigures', () => {
  it('counts voxels and turns spacing into ml', () => {
    const { mask } = volume();
    expect(computeFigures(mask, 50)).toEqual({
      threshold: 50,
      foregroundVoxels: 480, // 12 × 8 × 5
      totalVoxels: 3200,
      foregroundFraction: 0.15,
      voxelVolumeMl: 0.002,
      foregroundVolumeMl: 0.96,
      size: [20, 16, 10],
      spacing: [1, 1, 2],
    });
  });

  it('has no volume for a 2-D image', () => {
    const img = new Image(new ImageType(2, IntTypes.UInt8, PixelTypes.Scalar, 1));
    img.size = [2, 2];
    img.data = new Uint8Array([0, 1, 1, 0]);
    expect(computeFigures(img, 0.5)).toMatchObject({
      foregroundVoxels: 2,
      voxelVolumeMl: null,
      foregroundVolumeMl: null,
    });
  });
});

describe('writeReport', () => {
  it('writes report.png with the views in radiological orientation, the overlay and the threshold line', async () => {
    const { image, mask } = volume();
    const dir = join(work, 'a');
    const result = await writeReport({
      outputDir: dir,
      image,
      mask,
      histogram,
      window,
      files: { json: 'report.json' },
    });
    expect((await readdir(dir)).sort()).toEqual(['report.html', 'report.json', 'report.png']);
    const png = decodePng(await readFile(result.files.png));
    // Three 256-px panels with 8-px margins; 22-px title row; 8-px bottom margin; 200-px histogram.
    expect([png.width, png.height]).toEqual([800, 22 + 256 + 8 + 200]);
    const at = (panel: number, x: number, y: number): number[] => png.pixel(8 + panel * 264 + x, 22 + y);

    // Axial slice z=5: 20×16 mm fills 256×205 px, 25 px from the top. Patient left (+x) is on the
    // right: the box (x ≥ 8) is tinted on the right and not on the left.
    expect(at(0, 128, 25 + 102)).toEqual(TINTED); // voxel (10, 8, 5)
    expect(at(0, 5, 25 + 102)).toEqual(GREY20); // voxel (0, 8, 5)
    expect(at(0, 250, 25 + 5)).toEqual(GREY20); // voxel (19, 0, 5): y outside the box
    expect(at(0, 128, 10)).toEqual(BLACK); // above the picture
    // Coronal slice y=8: 20×20 mm fills the panel; superior (+z) up: box (z ≥ 5) in the top half.
    expect(at(1, 250, 5)).toEqual(TINTED); // voxel (19, 8, 9)
    expect(at(1, 250, 250)).toEqual(GREY20); // voxel (19, 8, 0)
    expect(at(1, 5, 5)).toEqual(GREY20); // voxel (0, 8, 9)
    // Sagittal slice x=10: 16×20 mm → 205×256 px, 25 px from the left; anterior (−y) left, superior up.
    expect(at(2, 25 + 102, 5)).toEqual(TINTED); // voxel (10, 8, 9)
    expect(at(2, 25 + 200, 5)).toEqual(GREY20); // voxel (10, 15, 9)
    expect(at(2, 25 + 102, 250)).toEqual(GREY20); // voxel (10, 8, 0)
    expect(at(2, 10, 128)).toEqual(BLACK);

    // Histogram (top at y=286): plot from x=16, 768 px wide for values 0..100, bars up to y=286+174.
    const top = 286;
    expect(png.pixel(16 + 384, top + 40)).toEqual([255, 210, 0, 255]); // threshold 50 → x = 400
    expect(png.pixel(16 + 10, top + 170)).toEqual([150, 150, 150, 255]); // bin 0..25 (background)
    expect(png.pixel(16 + 700, top + 170)).toEqual([255, 0, 0, 255]); // bin 75..100 above threshold
    expect(png.pixel(16 + 250, top + 170)).toEqual([24, 24, 24, 255]); // empty bin 25..50

    const json = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
    expect(json).toEqual(result.figures);
    expect(json).toMatchObject({ threshold: 50, foregroundVoxels: 480, totalVoxels: 3200, foregroundVolumeMl: 0.96 });
  });

  it('follows the direction cosines: a flipped x axis shows the box on the left', () => {
    const { image, mask } = volume([-1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const { composite } = renderReportImages({ image, mask, histogram, window });
    expect(composite.pixel(8 + 5, 22 + 25 + 102)).toEqual(TINTED);
    expect(composite.pixel(8 + 250, 22 + 25 + 102)).toEqual(GREY20);
  });

  it('writes a self-contained, well-formed HTML page with the figures and escaped text', async () => {
    const { image, mask } = volume();
    const dir = join(work, 'b');
    const title = `<script>alert("x")</script> & O'Brien`;
    const result = await writeReport({
      outputDir: dir,
      image,
      mask,
      histogram,
      window,
      title,
      details: [['DICOM SEG', 'skipped: <no source series>']],
    });
    const html = await readFile(result.files.html, 'utf8');
    expect(XMLValidator.validate(html)).toBe(true);
    expect(html).not.toContain('<script>');
    expect(html).toContain(`<h1>${escapeHtml(title)}</h1>`);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; O&#39;Brien');
    expect(html).toContain('skipped: &lt;no source series&gt;');
    const cell = (label: string): string | undefined =>
      new RegExp(`<th scope="row">${label}</th><td>([^<]*)</td>`).exec(html)?.[1];
    expect(cell('Threshold')).toBe('50');
    expect(cell('Foreground voxels')).toBe('480');
    expect(cell('Total voxels')).toBe('3200');
    expect(cell('Foreground volume \\(ml\\)')).toBe('0.96');
    expect(cell('Spacing \\(mm\\)')).toBe('1 × 1 × 2');
    // Both pictures are inlined (no external reference) and decode to the slice row and the histogram.
    expect(html).not.toMatch(/(src|href)="(?!data:)/);
    const uris = [...html.matchAll(/src="data:image\/png;base64,([^"]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64'));
    expect(uris).toHaveLength(2);
    const [slices, hist] = uris.map((b) => decodePng(new Uint8Array(b)));
    expect([slices!.width, slices!.height]).toEqual([800, 286]);
    expect([hist!.width, hist!.height]).toEqual([800, 200]);
    expect(slices!.pixel(8 + 128, 22 + 25 + 102)).toEqual(TINTED);
  });

  it('rejects mismatched inputs before writing anything', async () => {
    const { image } = volume();
    const small = new Image(new ImageType(3, IntTypes.UInt8, PixelTypes.Scalar, 1));
    small.size = [2, 2, 2];
    small.data = new Uint8Array(8);
    const dir = join(work, 'c');
    await expect(
      writeReport({ outputDir: dir, image, mask: small, histogram: { ...histogram, threshold: 50 } }),
    ).rejects.toThrow(OtsuError);
    const { mask } = volume();
    await expect(
      writeReport({ outputDir: dir, image, mask, histogram: { ...histogram, binMax: [1, 2] } }),
    ).rejects.toThrow(/2 bin maxima/);
    await expect(readdir(dir)).rejects.toThrow();
  });

  it('uses a percentile window by default and copes with a constant image', () => {
    const { image, mask } = volume();
    const r = renderReportImages({ image, mask, histogram });
    expect(r.window.center - r.window.width / 2).toBe(20);
    expect(r.window.center + r.window.width / 2).toBe(100);
    (image.data as Int16Array).fill(7);
    const c = renderReportImages({ image, mask, histogram: { ...histogram, threshold: 7 } });
    expect(c.window).toEqual({ center: 7, width: 1 });
  });
});

describe('with the Otsu step', () => {
  it("takes the otsu module's histogram and threshold, and agrees on the foreground count", async () => {
    const { image } = volume();
    const otsu = otsuMask(image.data as Int16Array);
    const mask = volume().mask;
    mask.data = otsu.mask;
    const dir = join(work, 'otsu');
    const { figures } = await writeReport({ outputDir: dir, image, mask, histogram: reportHistogramOf(otsu), window });
    expect(figures.threshold).toBe(otsu.threshold);
    expect(figures.foregroundVoxels).toBe(otsu.foregroundVoxels);
    expect(figures.foregroundVoxels).toBe(480);
    expect(figures.totalVoxels).toBe(otsu.totalVoxels);
  });

  it('counts and tints the given foreground value when the mask values are not 0/1', () => {
    const { image, mask } = volume();
    const m = mask.data as Uint8Array;
    for (let i = 0; i < m.length; i++) m[i] = m[i] ? 0 : 255; // box = 0 ("inside"), rest = 255
    expect(computeFigures(mask, 50, 0).foregroundVoxels).toBe(480);
    const { composite } = renderReportImages({ image, mask, histogram, window, foregroundValue: 0 });
    expect(composite.pixel(8 + 128, 22 + 25 + 102)).toEqual(TINTED);
    expect(composite.pixel(8 + 5, 22 + 25 + 102)).toEqual(GREY20);
  });
});

describe('formatNumber', () => {
  it('prints integers plainly and other values with six significant digits', () => {
    expect(formatNumber(3200)).toBe('3200');
    expect(formatNumber(0.96)).toBe('0.96');
    expect(formatNumber(-123.456789)).toBe('-123.457');
    expect(formatNumber(1.5e-7)).toBe('1.5e-7');
    expect(formatNumber(null)).toBe('n/a');
  });
});

// Timing of the report on a synthetic 512×512×300 int16 volume (a bright ellipsoid as the mask):
// the full-volume figures pass, rendering + PNG encoding, and writing all files.
// Run: npx vitest bench --run algorithm/test/report (memory: under `/usr/bin/time -v`).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { Image, ImageType, IntTypes, PixelTypes } from 'itk-wasm';
import {
  computeFigures,
  encodePng,
  renderReportImages,
  writeReport,
  type ReportHistogram,
} from '../../src/report/index.js';

const [NX, NY, NZ] = [512, 512, 300];
const image = new Image(new ImageType(3, IntTypes.Int16, PixelTypes.Scalar, 1));
const mask = new Image(new ImageType(3, IntTypes.UInt8, PixelTypes.Scalar, 1));
for (const img of [image, mask]) {
  img.size = [NX, NY, NZ];
  img.spacing = [0.7, 0.7, 1.5];
}
const values = new Int16Array(NX * NY * NZ);
const fg = new Uint8Array(NX * NY * NZ);
for (let z = 0, i = 0; z < NZ; z++)
  for (let y = 0; y < NY; y++)
    for (let x = 0; x < NX; x++, i++) {
      const r = ((x - 256) / 200) ** 2 + ((y - 256) / 160) ** 2 + ((z - 150) / 120) ** 2;
      values[i] = r < 1 ? 40 + ((x ^ y ^ z) & 63) : -1000 + ((x + y + z) & 31);
      fg[i] = r < 1 ? 1 : 0;
    }
image.data = values;
mask.data = fg;
const bins = 128;
const histogram: ReportHistogram = {
  binMin: Array.from({ length: bins }, (_, k) => -1000 + (k * 1104) / bins),
  binMax: Array.from({ length: bins }, (_, k) => -1000 + ((k + 1) * 1104) / bins),
  counts: Float64Array.from({ length: bins }, (_, k) => (k < 5 ? 1e7 : k > 120 ? 2e6 : 10)),
  threshold: -472,
};
const work = await mkdtemp(join(tmpdir(), 'kx-report-bench-'));

describe('report 512×512×300', () => {
  bench(
    'computeFigures (foreground count over 78.6 M voxels)',
    () => {
      computeFigures(mask, histogram.threshold);
    },
    { iterations: 5, time: 0 },
  );
  bench(
    'renderReportImages + encodePng',
    () => {
      encodePng(renderReportImages({ image, mask, histogram }).composite);
    },
    { iterations: 5, time: 0 },
  );
  bench(
    'writeReport (png + html + json)',
    async () => {
      await writeReport({ outputDir: work, image, mask, histogram, files: { json: 'report.json' } });
    },
    {
      iterations: 5,
      time: 0,
      teardown: async (_task, mode) => {
        if (mode === 'run') await rm(work, { recursive: true, force: true });
      },
    },
  );
});

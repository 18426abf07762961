// Timing of the DICOM SEG writer on a 512×512×100 CT series (synthesised from the ct5n fixture, see
// synthetic-series.ts; dcmtk's dcmodify needed). The series is generated once into
// $TMPDIR/kx-seg-bench-512x100/ and reused. Memory: run under `/usr/bin/time -v`.
// Run: npx vitest bench --run algorithm/test/seg
import { mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { readImageDicomFileSeriesNode } from '@itk-wasm/dicom';
import type { Image } from 'itk-wasm';
import { writeDicomSeg } from '../../src/seg/index.js';
import { makeSeries } from './synthetic-series.js';

const SLICES = 100;

async function series(): Promise<string[]> {
  const dir = join(tmpdir(), `kx-seg-bench-512x${SLICES}`);
  const done = join(dir, 'complete');
  const names = await readdir(dir).catch(() => [] as string[]);
  if (names.includes('complete')) {
    return names
      .filter((n) => n.endsWith('.dcm'))
      .sort()
      .map((n) => join(dir, n));
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const files = await makeSeries(dir, 512, SLICES);
  await mkdir(done);
  return files;
}

const files = await series();
const out = join(tmpdir(), `kx-seg-bench-out-${process.pid}`);
const { outputImage } = await readImageDicomFileSeriesNode({ inputImages: files });
// Values are −1024..−984 outside the disc and 76..126 inside (the template's rescale intercept).
const mask = {
  ...outputImage,
  data: Uint8Array.from(outputImage.data as ArrayLike<number>, (v) => (v > -500 ? 1 : 0)),
} as Image;

describe('DICOM SEG', () => {
  bench(
    `writeDicomSeg 512×512×${SLICES} (own encoder)`,
    async () => {
      const r = await writeDicomSeg({ mask, sourceFiles: files, outputFile: join(out, 'seg.dcm') });
      if (r.status !== 'written') throw new Error(r.status);
    },
    {
      iterations: 3,
      warmupIterations: 1,
      time: 0,
      teardown: async (_task, mode) => {
        if (mode === 'run') await rm(out, { recursive: true, force: true });
      },
    },
  );
});

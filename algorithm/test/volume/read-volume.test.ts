// readVolumes end to end for NRRD input (the operator's input in Kaapana): the TypeScript reader and
// itk-wasm (KAAPANA_OTSU_READER=itk-wasm) give the same volume and the same Otsu result, and a large
// volume arrives in shared memory (two-thread Otsu) from both native readers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { otsuMask, readVolumes, writeNrrdAtomic, type ScalarArray } from '../../src/index.js';

const data = join(import.meta.dirname, '..', 'data');
const tmp = mkdtempSync(join(tmpdir(), 'kx-read-volume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function readBoth(path: string) {
  const saved = process.env.KAAPANA_OTSU_READER;
  try {
    delete process.env.KAAPANA_OTSU_READER;
    const [fast] = await readVolumes(path);
    process.env.KAAPANA_OTSU_READER = 'itk-wasm';
    const [wasm] = await readVolumes(path);
    return { fast: fast!.image, wasm: wasm!.image };
  } finally {
    if (saved === undefined) delete process.env.KAAPANA_OTSU_READER;
    else process.env.KAAPANA_OTSU_READER = saved;
  }
}

describe('readVolumes on NRRD', () => {
  it('gives the same volume and Otsu result through the TypeScript reader and through itk-wasm', async () => {
    const [series] = await readVolumes(join(data, 'series', 'mr-mosaic-b0dwi'));
    expect(series!.image.data!.buffer).toBeInstanceOf(SharedArrayBuffer);
    const file = join(tmp, 'mosaic.nrrd');
    await writeNrrdAtomic(series!.image, file);
    for (const path of [file, join(data, 'image-files', 'BrainProtonDensitySliceBorder20DirectionPlus30.nhdr')]) {
      const { fast, wasm } = await readBoth(path);
      expect(fast.imageType).toEqual(wasm.imageType);
      expect([fast.size, fast.spacing, fast.origin]).toEqual([wasm.size, wasm.spacing, wasm.origin]);
      expect(Array.from(fast.direction as Float64Array)).toEqual(Array.from(wasm.direction as Float64Array));
      const a = fast.data as ScalarArray;
      const b = wasm.data as ScalarArray;
      expect(
        Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
      ).toBe(true);
      const one = otsuMask(b);
      const two = otsuMask(a);
      expect(two.threshold).toBe(one.threshold);
      expect(Buffer.from(two.mask).equals(Buffer.from(one.mask))).toBe(true);
    }
    const { fast } = await readBoth(file);
    expect(fast.data!.buffer).toBeInstanceOf(SharedArrayBuffer);
  }, 60_000);
});

// Bench helper: a large single-frame CT series made from one real file of the ct5n fixture with
// dcmtk's dcmodify (new size, pixel data, positions and SOP Instance UIDs), so the SEG writer can be
// timed at a clinical size without shipping megabytes of DICOM. Not used by the tests.
import { execFile } from 'node:child_process';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const TEMPLATE = fileURLToPath(new URL('./fixtures/ct5n/2062', import.meta.url));

/** Writes `slices` files (file names sort in slice order) of `size`×`size` (a bright disc growing and shrinking along z); returns their paths. */
export async function makeSeries(dir: string, size: number, slices: number): Promise<string[]> {
  const files: string[] = [];
  for (let k = 0; k < slices; k++) {
    const px = new Int16Array(size * size);
    const r = (size / 3) * Math.sin((Math.PI * (k + 0.5)) / slices);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const d = Math.hypot(x - size / 2, y - size / 2);
        px[x + y * size] = d < r ? 1100 + ((x * 7 + y * 3 + k) % 50) : (x + y + k) % 40;
      }
    const raw = join(dir, `px${k}.raw`);
    await writeFile(raw, Buffer.from(px.buffer));
    const file = join(dir, `slice${String(k).padStart(4, '0')}.dcm`);
    await copyFile(TEMPLATE, file);
    await run('dcmodify', [
      '-nb',
      '-gin',
      '-m',
      `(0028,0010)=${size}`,
      '-m',
      `(0028,0011)=${size}`,
      '-m',
      '(0028,0030)=0.7\\0.7',
      '-m',
      '(0018,0050)=1.5',
      '-m',
      `(0020,0013)=${k + 1}`,
      '-m',
      `(0020,0032)=-180\\-180\\${(k * 1.5).toFixed(2)}`,
      '-m',
      '(0020,1041)=0',
      '-mf',
      `(7fe0,0010)=${raw}`,
      file,
    ]);
    files.push(file);
  }
  return files;
}

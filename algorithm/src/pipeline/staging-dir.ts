// All-or-nothing output: files are produced in a hidden staging directory next to their final place
// and moved in only when every one of them was written, so a failure leaves the output dir as it was.
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export async function withStagingDir<T>(outputDir: string, fn: (staging: string) => Promise<T>): Promise<T> {
  await mkdir(outputDir, { recursive: true });
  const staging = await mkdtemp(join(outputDir, '.kaapana-otsu-'));
  try {
    const result = await fn(staging);
    for (const name of await readdir(staging)) await rename(join(staging, name), join(outputDir, name));
    return result;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

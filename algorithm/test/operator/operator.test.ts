// Kaapana operator mode: the processing-container contract (WORKFLOW_DIR/BATCH_NAME/OPERATOR_IN_DIR/
// OPERATOR_OUT_DIR), NRRD in, <element>.nrrd out with the same threshold as ITK on the same volume,
// and "No nrrd file found" → exit 1 before anything is written.
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readImageNode } from '@itk-wasm/image-io';
import { withTempDir } from '../temp-dir.js';
import { describe, expect, it } from 'vitest';
import { readVolumes, writeNrrdAtomic } from '../../src/index.js';
import { runCli } from '../cli/run-cli.js';

const data = join(dirname(fileURLToPath(import.meta.url)), '..', 'data');

/** A workflow dir as Kaapana's DICOM→NRRD converter leaves it: batch/<element>/<in>/<name>.nrrd. */
async function makeWorkflow(root: string, elements: Record<string, string | null>): Promise<void> {
  for (const [element, series] of Object.entries(elements)) {
    const inDir = join(root, 'batch', element, 'dcm-converter');
    await mkdir(inDir, { recursive: true });
    if (series === null) continue;
    const [volume] = await readVolumes(join(data, 'series', series));
    await writeNrrdAtomic(volume!.image, join(inDir, `${series}.nrrd`));
  }
}

const env = (root: string) => ({
  WORKFLOW_DIR: root,
  BATCH_NAME: 'batch',
  OPERATOR_IN_DIR: 'dcm-converter',
  OPERATOR_OUT_DIR: 'otsus-method',
  RUN_ID: 'test-run',
});

describe('operator mode', () => {
  it('writes <element>.nrrd for every batch element', async () => {
    await withTempDir('kx-otsu-op-', async (root) => {
      await makeWorkflow(root, { 'elem-a': 'ct5n', 'elem-b': 'ct-uneven' });
      const run = await runCli([], env(root));
      expect(run.stderr).not.toMatch(/error/);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Applying Otsu's method to: .*ct5n\.nrrd/);
      expect(await readdir(join(root, 'batch', 'elem-a', 'otsus-method'))).toEqual(['elem-a.nrrd']);
      expect(await readdir(join(root, 'batch', 'elem-b', 'otsus-method'))).toEqual(['elem-b.nrrd']);
      const mask = await readImageNode(join(root, 'batch', 'elem-a', 'otsus-method', 'elem-a.nrrd'));
      expect(mask.imageType.componentType).toBe('uint8');
      expect(mask.size).toEqual([16, 16, 5]);
      // Same voxels above the threshold as ITK on the series (the regression value).
      expect(Array.from(mask.data as Uint8Array).filter((v) => v === 1)).toHaveLength(1097);
      expect(run.stdout).toContain('threshold -378');
    });
  });

  it('fails with "No nrrd file found" and writes nothing when an element has no NRRD', async () => {
    await withTempDir('kx-otsu-op-', async (root) => {
      await makeWorkflow(root, { 'elem-a': 'ct5n', 'elem-b': null });
      const run = await runCli([], env(root));
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/No nrrd file found in .*elem-b/);
      expect(existsSync(join(root, 'batch', 'elem-a', 'otsus-method'))).toBe(false);
    });
  });

  it('is not used when --input is given', async () => {
    await withTempDir('kx-otsu-op-', async (root) => {
      const run = await runCli(
        ['--input', join(data, 'ct-small.dcm'), '--output', join(root, 'out'), '--mask-only', '--quiet'],
        env(root),
      );
      expect(run.code).toBe(0);
      expect(existsSync(join(root, 'out', 'mask.nrrd'))).toBe(true);
    });
  });
});

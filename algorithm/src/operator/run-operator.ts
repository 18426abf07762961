// Kaapana operator mode: the processing-container contract of the threshold-segmentation example.
// For every batch element dir <WORKFLOW_DIR>/<BATCH_NAME>/*, read the NRRD file(s) in
// <element>/<OPERATOR_IN_DIR>, apply Otsu like `sitk.OtsuThreshold(img, 0, 1)` and write the mask as
// compressed NRRD <element>/<OPERATOR_OUT_DIR>/<element-name>.nrrd (Kaapana's next operator turns it
// into DICOM SEG). An element without a NRRD file fails the run ("No nrrd file found", exit 1).
// Owns the directory contract; the Otsu and I/O steps are shared with the CLI.
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { OtsuError } from '../errors.js';
import { otsuMask, type ScalarArray } from '../otsu/index.js';
import { maskImage, readVolumes, writeNrrdAtomic } from '../volume/index.js';
import type { Progress } from '../pipeline/progress.js';

export interface OperatorEnv {
  workflowDir: string;
  batchName: string;
  operatorInDir: string;
  operatorOutDir: string;
}

/** The operator environment, or undefined when the variables that define it are not all set. */
export function operatorEnvFrom(env: NodeJS.ProcessEnv): OperatorEnv | undefined {
  const { WORKFLOW_DIR, BATCH_NAME, OPERATOR_IN_DIR, OPERATOR_OUT_DIR } = env;
  if (!WORKFLOW_DIR || !OPERATOR_IN_DIR || !OPERATOR_OUT_DIR) return undefined;
  return {
    workflowDir: WORKFLOW_DIR,
    batchName: BATCH_NAME || 'batch',
    operatorInDir: OPERATOR_IN_DIR,
    operatorOutDir: OPERATOR_OUT_DIR,
  };
}

export interface OperatorOptions {
  bins: number;
  inside: number;
  outside: number;
  progress: Progress;
  log: (line: string) => void;
}

export interface ElementResult {
  element: string;
  input: string;
  output: string;
  threshold: number;
  foregroundVoxels: number;
  totalVoxels: number;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

export async function runOperator(env: OperatorEnv, o: OperatorOptions): Promise<ElementResult[]> {
  // Kaapana joins the workflow dir onto "/", so a relative WORKFLOW_DIR is taken from the root too.
  const batchDir = join('/', env.workflowDir, env.batchName);
  if (!(await isDir(batchDir))) throw new OtsuError('batch directory does not exist', { file: batchDir });
  const elements: string[] = [];
  for (const e of (await readdir(batchDir)).sort()) if (await isDir(join(batchDir, e))) elements.push(join(batchDir, e));
  if (elements.length === 0) throw new OtsuError('no batch element directories', { file: batchDir });

  // Check every element before writing anything, so a bad batch leaves no partial output.
  const plan: { name: string; outDir: string; nrrds: string[] }[] = [];
  for (const elementDir of elements) {
    const inDir = join(elementDir, env.operatorInDir);
    const nrrds = (await isDir(inDir))
      ? (await readdir(inDir)).filter((f) => f.endsWith('.nrrd')).sort().map((f) => join(inDir, f))
      : [];
    if (nrrds.length === 0) throw new OtsuError(`No nrrd file found in ${inDir}`, { file: inDir });
    plan.push({ name: basename(elementDir), outDir: join(elementDir, env.operatorOutDir), nrrds });
  }

  const results: ElementResult[] = [];
  for (const [i, { name, outDir, nrrds }] of plan.entries()) {
    o.progress(`[${i + 1}/${plan.length}] ${name}: ${nrrds.length} NRRD file(s)`);
    for (const file of nrrds) {
      o.log(`Applying Otsu's method to: ${file}`);
      const [volume] = await readVolumes(file);
      const otsu = otsuMask(volume!.image.data as ScalarArray, { bins: o.bins, inside: o.inside, outside: o.outside });
      const outName = nrrds.length === 1 ? `${name}.nrrd` : `${name}_${basename(file, '.nrrd')}.nrrd`;
      const output = join(outDir, outName);
      await writeNrrdAtomic(maskImage(volume!.image, otsu.mask), output);
      o.log(`  threshold ${otsu.threshold}, ${otsu.foregroundVoxels}/${otsu.totalVoxels} voxels above it -> ${output}`);
      results.push({
        element: name,
        input: file,
        output,
        threshold: otsu.threshold,
        foregroundVoxels: otsu.foregroundVoxels,
        totalVoxels: otsu.totalVoxels,
      });
    }
  }
  return results;
}

// Kaapana operator mode: the processing-container contract of the threshold-segmentation example.
// For every batch element dir <WORKFLOW_DIR>/<BATCH_NAME>/*, read the NRRD file(s) in
// <element>/<OPERATOR_IN_DIR>, apply Otsu like `sitk.OtsuThreshold(img, 0, 1)` and write the mask as
// compressed NRRD <element>/<OPERATOR_OUT_DIR>/<element-name>.nrrd (Kaapana's next operator turns it
// into DICOM SEG). An element without a NRRD file fails the run ("No nrrd file found", exit 1).
// All or nothing: every element is checked before anything is computed, and the masks are staged
// and moved into the OPERATOR_OUT_DIRs only when every element succeeded.
// Owns the directory contract; the Otsu and I/O steps are shared with the CLI.
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { OtsuError } from '../errors.js';
import { otsuMask, type ScalarArray } from '../otsu/index.js';
import { maskImage, readVolumes, writeNrrdAtomic } from '../volume/index.js';
import type { Progress } from '../pipeline/progress.js';
import { checkOutputDir } from '../pipeline/staging-dir.js';

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
  for (const e of (await readdir(batchDir)).sort())
    if (await isDir(join(batchDir, e))) elements.push(join(batchDir, e));
  if (elements.length === 0) throw new OtsuError('no batch element directories', { file: batchDir });

  // Check every element before writing anything, so a bad batch leaves no partial output.
  const plan: ElementPlan[] = [];
  for (const elementDir of elements) {
    const inDir = join(elementDir, env.operatorInDir);
    const nrrds = (await isDir(inDir))
      ? (await readdir(inDir))
          .filter((f) => f.endsWith('.nrrd'))
          .sort()
          .map((f) => join(inDir, f))
      : [];
    if (nrrds.length === 0) throw new OtsuError(`No nrrd file found in ${inDir}`, { file: inDir });
    const outDir = join(elementDir, env.operatorOutDir);
    checkOutputDir(outDir);
    plan.push({ name: basename(elementDir), elementDir, outDir, nrrds });
  }

  return writeAllOrNothing(plan, o);
}

interface ElementPlan {
  name: string;
  elementDir: string;
  outDir: string;
  nrrds: string[];
}

/**
 * Every element's masks are written into a hidden staging dir inside its element dir; only when all
 * elements succeeded are they moved into their OPERATOR_OUT_DIRs, so a failing element leaves no
 * outputs of the earlier ones (the staging dirs are removed either way).
 */
async function writeAllOrNothing(plan: ElementPlan[], o: OperatorOptions): Promise<ElementResult[]> {
  const staged: { staging: string; outDir: string }[] = [];
  try {
    const results: ElementResult[] = [];
    for (const [i, element] of plan.entries()) {
      o.progress(`[${i + 1}/${plan.length}] ${element.name}: ${element.nrrds.length} NRRD file(s)`);
      const staging = await mkdtemp(join(element.elementDir, '.kaapana-otsu-'));
      staged.push({ staging, outDir: element.outDir });
      for (const file of element.nrrds) results.push(await segmentElementFile(element, file, staging, o));
    }
    for (const { staging, outDir } of staged) {
      await mkdir(outDir, { recursive: true });
      for (const name of await readdir(staging)) await rename(join(staging, name), join(outDir, name));
    }
    return results;
  } finally {
    for (const { staging } of staged) await rm(staging, { recursive: true, force: true });
  }
}

async function segmentElementFile(
  element: ElementPlan,
  file: string,
  staging: string,
  o: OperatorOptions,
): Promise<ElementResult> {
  o.log(`Applying Otsu's method to: ${file}`);
  const [volume] = await readVolumes(file);
  const otsu = otsuMask(volume!.image.data as ScalarArray, { bins: o.bins, inside: o.inside, outside: o.outside });
  const outName =
    element.nrrds.length === 1 ? `${element.name}.nrrd` : `${element.name}_${basename(file, '.nrrd')}.nrrd`;
  const output = join(element.outDir, outName);
  await writeNrrdAtomic(maskImage(volume!.image, otsu.mask), join(staging, outName));
  o.log(`  threshold ${otsu.threshold}, ${otsu.foregroundVoxels}/${otsu.totalVoxels} voxels above it -> ${output}`);
  return {
    element: element.name,
    input: file,
    output,
    threshold: otsu.threshold,
    foregroundVoxels: otsu.foregroundVoxels,
    totalVoxels: otsu.totalVoxels,
  };
}

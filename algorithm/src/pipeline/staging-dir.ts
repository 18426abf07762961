// All-or-nothing output: the output directory is checked before anything is computed
// (checkOutputDir), files are produced in a hidden staging directory inside it and moved in only
// when every one of them was written (withStagingDir), so a failure leaves the output dir as it
// was. Also the rule that turns a SeriesInstanceUID into a sub-directory name (seriesDirName): only
// DICOM UID syntax (digits and dots), and the final path checked to stay inside its parent.
import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { OtsuError } from '../errors.js';

/**
 * Fails with an OtsuError naming `outputDir` when it exists and is not a writable directory, or when
 * it does not exist and its nearest existing ancestor is not a writable directory. Writes nothing.
 */
export function checkOutputDir(outputDir: string): void {
  let dir = resolve(outputDir);
  for (;;) {
    let st;
    try {
      st = statSync(dir);
    } catch (e) {
      const parent = dirname(dir);
      if (['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '') && parent !== dir) {
        dir = parent;
        continue;
      }
      throw new OtsuError(`--output cannot be created: ${(e as NodeJS.ErrnoException).code ?? String(e)} at ${dir}`, {
        file: outputDir,
      });
    }
    const what = dir === resolve(outputDir) ? '--output' : `--output cannot be created: ${dir}`;
    if (!st.isDirectory()) throw new OtsuError(`${what} is not a directory`, { file: outputDir });
    try {
      accessSync(dir, constants.W_OK | constants.X_OK);
    } catch {
      throw new OtsuError(`${what} is not writable`, { file: outputDir });
    }
    return;
  }
}

/** DICOM UID syntax (PS3.5 9.1): digits and dots, no empty component, at most 64 characters. */
const UID = /^[0-9]+(\.[0-9]+)*$/;

/**
 * The per-series output directory `<parent>/<uid>`; an OtsuError naming `file` (a file of the series)
 * when the UID is not a DICOM UID, so that no name from a file's contents becomes a path outside
 * `parent`.
 */
export function seriesDirName(parent: string, uid: string, file: string): string {
  if (!UID.test(uid) || uid.length > 64) {
    throw new OtsuError(
      `SeriesInstanceUID ${JSON.stringify(uid.slice(0, 80))} is not a DICOM UID (digits and dots), so it cannot name an output directory`,
      { file },
    );
  }
  const dir = join(parent, uid);
  const rel = relative(resolve(parent), resolve(dir));
  if (rel === '' || rel.startsWith('..') || rel.includes(sep))
    throw new OtsuError(`SeriesInstanceUID ${uid} leaves the output directory`, { file });
  return dir;
}

/** Moves every entry of `from` into `to` (created), merging into directories that already exist there. */
function moveInto(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const src = join(from, name);
    const dst = join(to, name);
    const existing = statSync(dst, { throwIfNoEntry: false });
    if (existing?.isDirectory() && statSync(src).isDirectory()) moveInto(src, dst);
    else renameSync(src, dst);
  }
}

/**
 * Removes the staging dir: after a successful move it is empty (one rmdir); after a failure the
 * recursive removal (node loads its rimraf module for that, which a successful run need not pay).
 */
function removeStaging(staging: string): void {
  try {
    rmdirSync(staging);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
}

export async function withStagingDir<T>(outputDir: string, fn: (staging: string) => Promise<T>): Promise<T> {
  checkOutputDir(outputDir);
  mkdirSync(outputDir, { recursive: true });
  const staging = mkdtempSync(join(outputDir, '.kaapana-otsu-'));
  try {
    const result = await fn(staging);
    moveInto(staging, outputDir);
    return result;
  } finally {
    removeStaging(staging);
  }
}

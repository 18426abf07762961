// All-or-nothing output: the output directory is checked before anything is computed
// (checkOutputDir), files are produced in a hidden staging directory inside it and moved in only
// when every one of them was written (withStagingDir), so a failure leaves the output dir as it
// was. Also the rule that turns a SeriesInstanceUID into a sub-directory name (seriesDirName): only
// DICOM UID syntax (digits and dots), and the final path checked to stay inside its parent.
import { accessSync, constants, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
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
async function moveInto(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const name of await readdir(from)) {
    const src = join(from, name);
    const dst = join(to, name);
    const existing = await stat(dst).catch(() => undefined);
    if (existing?.isDirectory() && (await stat(src)).isDirectory()) await moveInto(src, dst);
    else await rename(src, dst);
  }
}

export async function withStagingDir<T>(outputDir: string, fn: (staging: string) => Promise<T>): Promise<T> {
  checkOutputDir(outputDir);
  await mkdir(outputDir, { recursive: true });
  const staging = await mkdtemp(join(outputDir, '.kaapana-otsu-'));
  try {
    const result = await fn(staging);
    await moveInto(staging, outputDir);
    return result;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

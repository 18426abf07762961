// Small file-system primitives with the guarantees the toolkit promises: atomic writes (temp file in
// the same directory, fsync, rename) so a failure never leaves a half-written file — written through
// a symlink to its target (never replacing the link), refusing read-only files and directories — and
// temp dirs that are cleaned up. Nothing domain-specific lives here.
import { randomBytes } from 'node:crypto';
import { lstat, mkdtemp, open, realpath, rename, rm, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { KxError } from '../errors/index.js';
import { isInside } from './safe-path.js';

/**
 * Throws a KxError naming `path` when an existing file there must not be replaced: a directory, or
 * a file without any write permission bit (0444 — checked from the mode, so it holds for root too).
 * A missing file is fine.
 */
export async function assertWritable(path: string): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (!st) return;
  if (st.isDirectory()) throw new KxError(`${path} is a directory, not a file`, { file: path });
  if ((st.mode & 0o222) === 0) {
    throw new KxError(
      `${path} is read-only (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); not replacing it`,
      { file: path },
    );
  }
}

export interface WriteFileAtomicOptions {
  /** Mode of the file; default: the existing file's, else 0644. */
  mode?: number;
  /**
   * When `path` is a symlink, it is written through to its target (the link stays); with `within`
   * set, a target outside that directory is refused instead.
   */
  within?: string;
}

/**
 * Write `data` to `path` atomically; keeps the mode of an existing file unless `mode` is given.
 * Refuses read-only files and directories (assertWritable); writes through symlinks.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  opts: WriteFileAtomicOptions = {},
): Promise<void> {
  if ((await lstat(path).catch(() => undefined))?.isSymbolicLink()) {
    const target = await realpath(path).catch(() => {
      throw new KxError(`${path} is a symlink whose target cannot be resolved`, { file: path });
    });
    if (
      opts.within !== undefined &&
      !isInside(await realpath(opts.within).catch(() => opts.within as string), target)
    ) {
      throw new KxError(`${path} is a symlink to ${target}, outside ${opts.within}; not writing through it`, {
        file: path,
      });
    }
    path = target;
  }
  await assertWritable(path);
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  let mode = opts.mode;
  if (mode === undefined) {
    try {
      mode = (await stat(path)).mode & 0o7777;
    } catch {
      mode = 0o644;
    }
  }
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Run `fn` with a fresh temporary directory that is removed afterwards, whatever happens. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
export * from './glob.js';
export * from './safe-path.js';
export * from './walk.js';

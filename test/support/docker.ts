// Test helpers around the real Docker engine: is it there, and a build context for a `FROM scratch`
// image that carries Debian's static busybox (nothing can be pulled on these machines).
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const BUSYBOX = process.env.KX_BUSYBOX ?? '/bin/busybox';

export function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Writes `Dockerfile` (given text) into `dir` together with `busybox`, and returns `dir`. */
export async function busyboxContext(
  dir: string,
  dockerfile: string,
  extraFiles: Record<string, string> = {},
): Promise<string> {
  await mkdir(dir, { recursive: true });
  await copyFile(BUSYBOX, join(dir, 'busybox'));
  await writeFile(join(dir, 'Dockerfile'), dockerfile);
  for (const [name, content] of Object.entries(extraFiles)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

/** Image ids and tags known to the engine, for cleanup of test images. */
export function removeImages(refs: string[]): void {
  if (refs.length === 0) return;
  try {
    execFileSync('docker', ['image', 'rm', '--force', ...refs], { stdio: 'pipe' });
  } catch {
    /* already gone */
  }
}

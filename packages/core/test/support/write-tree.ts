// Test fixtures as files: writes a map of relative paths to texts under a directory, creating the
// folders on the way (the one copy the core tests share).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Writes each `path → text` of `files` below `base`, creating parent directories. */
export async function writeTree(base: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(base, path)), { recursive: true });
    await writeFile(join(base, path), text);
  }
}

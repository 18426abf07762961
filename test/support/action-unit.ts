// Unit tests of an action's getInputs() and summary, the way the runner drives them: inputs as
// INPUT_<NAME> variables (only those a test sets: everything else falls back to the action.yml
// default, as when the runner passes an empty value) and the job summary as the file named by
// GITHUB_STEP_SUMMARY. `useActionEnv()` registers the cleanup of both after each test. One summary
// file serves a whole test file, emptied before each use: @actions/core's summary keeps the first
// path it resolved.
import { mkdtempSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';

function clearInputs(): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k];
}

export interface ActionEnv {
  /** Replaces every INPUT_* variable by these inputs. */
  inputs(values: Record<string, string>): void;
  /** Runs `write` with GITHUB_STEP_SUMMARY set to a fresh file and returns what it appended. */
  summaryOf(write: () => Promise<void>): Promise<string>;
}

export function useActionEnv(): ActionEnv {
  const saved = process.env['GITHUB_STEP_SUMMARY'];
  const dir = mkdtempSync(join(tmpdir(), 'kx-summary-'));
  const file = join(dir, 'summary');
  afterAll(() => rm(dir, { recursive: true, force: true }));
  afterEach(() => {
    clearInputs();
    if (saved === undefined) delete process.env['GITHUB_STEP_SUMMARY'];
    else process.env['GITHUB_STEP_SUMMARY'] = saved;
  });
  return {
    inputs(values) {
      clearInputs();
      for (const [k, v] of Object.entries(values)) process.env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
    },
    async summaryOf(write) {
      await writeFile(file, '');
      process.env['GITHUB_STEP_SUMMARY'] = file;
      await write();
      return readFile(file, 'utf8');
    },
  };
}

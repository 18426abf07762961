// A dependency given only by name (Kaapana >= 0.2 style, e.g. `dag-installer-chart` without
// `repository:`) and not in charts/ fails with one error that names the file and line and tells
// the user where such charts come from: chart-search-paths or kaapana-source (issue 18).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isKxError } from '@kaapana-ext/core';
import { updateDependencies } from '@kaapana-ext/core/chart';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'kx18-name-only-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

it('names chart-search-paths and kaapana-source, the file and the line', async () => {
  const chart = join(tmp, 'otsu-workflow');
  await mkdir(chart, { recursive: true });
  await writeFile(
    join(chart, 'Chart.yaml'),
    'apiVersion: v2\nname: otsu-workflow\nversion: 0.1.0\ndependencies:\n  - name: dag-installer-chart\n    version: 0.0.0\n',
  );
  const err = await updateDependencies(chart).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isKxError(err)).toBe(true);
  const e = err as { message: string; file?: string; line?: number };
  expect(e.message).toContain('"dag-installer-chart" has no repository');
  expect(e.message).toContain('chart-search-paths');
  expect(e.message).toContain('kaapana-source');
  expect(e.file).toBe(join(chart, 'Chart.yaml'));
  expect(e.line).toBe(5);
});

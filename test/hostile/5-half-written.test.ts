// Class 5 — half-written state: a failing step leaves the files it would change as they were.
// package-chart checks every input (and that the lock can be replaced) before writing charts/ and
// the lock; update-collection restores the dependency file byte for byte when the build after its
// edit fails, and commits nothing. Trees are compared before/after.
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  chartFiles,
  expectChangesOnlyUnder,
  expectCleanFailure,
  runHostileAction,
  scratch,
  snapshot,
  writeTree,
  type Scratch,
} from './harness.js';

let s: Scratch;
afterEach(() => s?.cleanup());

const WITH_DEP = chartFiles('wf', {
  requirements: 'dependencies:\n  - name: dep-chart\n    version: 1.0.0\n    repository: file://../dep\n',
});

describe('package-chart validates before it writes charts/ and the lock', () => {
  it('rejects a bad version input without touching the chart', async () => {
    s = scratch('bad-version');
    writeTree(join(s.ws, 'dep'), chartFiles('dep-chart', { version: '1.0.0' }));
    writeTree(join(s.ws, 'wf'), WITH_DEP);
    const before = snapshot(s.root);
    const run = await runHostileAction(
      'action-package-chart',
      { chart: 'wf', destination: 'out', version: 'not-a-version' },
      s,
    );
    expectCleanFailure(run, { file: 'wf/Chart.yaml', message: /version "not-a-version"/ });
    expectChangesOnlyUnder(before, snapshot(s.root), []);
  });

  it('refuses a read-only lock before writing charts/', async () => {
    s = scratch('ro-lock');
    writeTree(join(s.ws, 'dep'), chartFiles('dep-chart', { version: '1.0.0' }));
    writeTree(join(s.ws, 'wf'), {
      ...WITH_DEP,
      'requirements.lock': 'dependencies: []\ndigest: sha256:0\ngenerated: "1970-01-01T00:00:00Z"\n',
    });
    chmodSync(join(s.ws, 'wf', 'requirements.lock'), 0o444);
    const before = snapshot(s.root);
    const run = await runHostileAction('action-package-chart', { chart: 'wf', destination: 'out' }, s);
    expectCleanFailure(run, { file: 'wf/requirements.lock', message: /read-only/ });
    expectChangesOnlyUnder(before, snapshot(s.root), []);
  });
});

describe('update-collection keeps its edit only when the build succeeds', () => {
  it('restores requirements.yaml byte for byte when the build fails after the edit', async () => {
    s = scratch('coll-restore');
    const original = '---\n# extensions  \r\ndependencies:\n- name: other\n  version: "0.1.0"\n';
    writeTree(join(s.ws, 'collections/kaapana-collection'), {
      'Chart.yaml': '---\napiVersion: v1\nversion: 0.1.0\nname: kaapana-extension-collection\n',
      'requirements.yaml': original,
      Dockerfile:
        'FROM local-only/base-charts-manager:0.1.0\nLABEL IMAGE="kaapana-extension-collection"\nCOPY charts/*.tgz /tmp/\n',
    });
    const before = snapshot(s.root);
    const run = await runHostileAction(
      'action-update-collection',
      {
        'collection-dir': 'collections/kaapana-collection',
        'chart-name': 'ext',
        'chart-version': '1.0.0',
        registry: '127.0.0.1:2/kx17',
        charts: 'missing/ext-1.0.0.tgz',
        commit: 'true',
      },
      s,
    );
    expect(run.exitCode, run.stdout).toBe(1);
    expect(run.stdout).toContain('restored collections/kaapana-collection/requirements.yaml');
    expect(readFileSync(join(s.ws, 'collections/kaapana-collection/requirements.yaml'), 'utf8')).toBe(original);
    expect(run.outputs.changed).toBe('false');
    expectChangesOnlyUnder(before, snapshot(s.root), []);
  });
});

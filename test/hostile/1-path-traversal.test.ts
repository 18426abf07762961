// Class 1 — path traversal from file contents: names read from Chart.yaml, dependency lists and the
// chart itself never become paths outside their directory (charts/, the destination). Each case
// feeds the hostile chart to action-package-chart's bundle and checks exit code, the one annotation
// naming the file and line, and the tree outside the chart before/after.
import { symlinkSync } from 'node:fs';
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

/** A file:// dependency chart next to the chart under test. */
const DEP = chartFiles('dep-chart', { version: '1.0.0' });

describe('package-chart: names from the dependency list', () => {
  for (const name of ['../../../pwned', '..\\..\\pwned', '..', 'a/b']) {
    it(`refuses the dependency name ${JSON.stringify(name)} before writing anything`, async () => {
      s = scratch('dep-name');
      writeTree(join(s.ws, 'dep'), DEP);
      writeTree(
        join(s.ws, 'wf'),
        chartFiles('wf', {
          requirements: `dependencies:\n  - name: ${JSON.stringify(name)}\n    version: 1.0.0\n    repository: file://../dep\n`,
        }),
      );
      const before = snapshot(s.root);
      const run = await runHostileAction('action-package-chart', { chart: 'wf', destination: 'out' }, s);
      expectCleanFailure(run, {
        file: 'wf/requirements.yaml,line=2',
        message: /dependency name .* (path separator|not allowed)/,
      });
      expectChangesOnlyUnder(before, snapshot(s.root), []);
    });
  }

  it('refuses a local (repository "") dependency whose name climbs out of charts/', async () => {
    s = scratch('dep-local');
    writeTree(join(s.ws, 'elsewhere'), DEP);
    writeTree(
      join(s.ws, 'wf'),
      chartFiles('wf', {
        requirements: 'dependencies:\n  - name: ../../elsewhere\n    version: 1.0.0\n    repository: ""\n',
      }),
    );
    const before = snapshot(s.root);
    const run = await runHostileAction('action-package-chart', { chart: 'wf', destination: 'out' }, s);
    expectCleanFailure(run, { file: 'wf/requirements.yaml,line=2' });
    expectChangesOnlyUnder(before, snapshot(s.root), []);
  });
});

describe('package-chart: chart names (helm: not "." or "..", equal to their base name)', () => {
  for (const name of ['.', '..', '..\\..\\x', '../x']) {
    it(`refuses a chart named ${JSON.stringify(name)}`, async () => {
      s = scratch('chart-name');
      writeTree(join(s.ws, 'wf'), chartFiles(JSON.stringify(name)));
      const before = snapshot(s.root);
      const run = await runHostileAction('action-package-chart', { chart: 'wf', destination: 'out' }, s);
      expectCleanFailure(run, {
        file: 'wf/Chart.yaml,line=2',
        message: /chart\.metadata\.name .* (is invalid|is not allowed)/,
      });
      expectChangesOnlyUnder(before, snapshot(s.root), []);
    });
  }

  it('refuses a chart named with a plain (unquoted) `name: .` (read as "." like go-yaml, not as NaN)', async () => {
    s = scratch('chart-dot');
    writeTree(join(s.ws, 'wf'), chartFiles('.'));
    const before = snapshot(s.root);
    const run = await runHostileAction('action-package-chart', { chart: 'wf', destination: 'out' }, s);
    expectCleanFailure(run, { file: 'wf/Chart.yaml,line=2', message: /chart\.metadata\.name "\." is not allowed/ });
    expectChangesOnlyUnder(before, snapshot(s.root), []);
  });

  it('refuses a file:// dependency whose own Chart.yaml names it "..\\..\\pwned"', async () => {
    s = scratch('dep-chart-name');
    writeTree(join(s.ws, 'dep'), chartFiles(JSON.stringify('..\\..\\pwned'), { version: '1.0.0' }));
    writeTree(
      join(s.ws, 'wf'),
      chartFiles('wf', {
        requirements: 'dependencies:\n  - name: dep\n    version: 1.0.0\n    repository: file://../dep\n',
      }),
    );
    const before = snapshot(s.root);
    const run = await runHostileAction('action-package-chart', { chart: 'wf', destination: 'out' }, s);
    expectCleanFailure(run, { file: 'dep/Chart.yaml' });
    expectChangesOnlyUnder(before, snapshot(s.root), []);
  });

  it('writes the archive of a chart reached through a symlinked charts/ entry only into destination', async () => {
    // The chart dir itself is a symlink: the archive still goes to destination, nothing else changes.
    s = scratch('chart-link');
    writeTree(join(s.ws, 'real-wf'), chartFiles('wf'));
    symlinkSync('real-wf', join(s.ws, 'wf'));
    const before = snapshot(s.root);
    const run = await runHostileAction('action-package-chart', { chart: 'wf', destination: 'out' }, s);
    expect(run.exitCode, run.stdout).toBe(0);
    expectChangesOnlyUnder(before, snapshot(s.root), ['ws/out']);
  });
});

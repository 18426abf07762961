// Class 7 — messages: one clear message naming the file (and line), one annotation per failure
// (never `::error title=…` plus a plain `::error::`), and the documented exit codes (actions: 1;
// CLI: 1 when a step failed, 2 for bad usage).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  chartFiles,
  EXIT_FAILED,
  EXIT_USAGE,
  expectCleanFailure,
  runHostileAction,
  runHostileCli,
  scratch,
  writeTree,
  type Scratch,
} from './harness.js';

let s: Scratch;
afterEach(() => s?.cleanup());

describe('messages name the file', () => {
  it('says which .helmignore rule hides Chart.yaml', async () => {
    s = scratch('helmignore');
    writeTree(join(s.ws, 'wf'), { ...chartFiles('wf'), '.helmignore': '# ignore yaml\n*.yaml\n' });
    const run = await runHostileAction('action-package-chart', { chart: 'wf', destination: 'out' }, s);
    expectCleanFailure(run, {
      file: 'wf/.helmignore,line=2',
      message: /Chart.yaml file is missing: .helmignore rule "\*.yaml" \(line 2\) excludes it/,
    });
  });

  it('names a requirements.yaml that is a directory (no bare EISDIR)', async () => {
    s = scratch('eisdir');
    writeTree(join(s.ws, 'coll'), {
      'Chart.yaml': '---\napiVersion: v1\nversion: 0.1.0\nname: kaapana-extension-collection\n',
    });
    mkdirSync(join(s.ws, 'coll', 'requirements.yaml'));
    const run = await runHostileAction(
      'action-update-collection',
      { 'collection-dir': 'coll', 'chart-name': 'ext', 'chart-version': '1.0.0', build: 'false' },
      s,
    );
    expectCleanFailure(run, { file: 'coll/requirements.yaml', message: /is a directory/ });
  });

  it('names a destination that is a file', async () => {
    s = scratch('dest-file');
    writeTree(join(s.ws, 'wf'), chartFiles('wf'));
    writeFileSync(join(s.ws, 'out'), 'not a directory');
    const run = await runHostileAction('action-package-chart', { chart: 'wf', destination: 'out' }, s);
    expectCleanFailure(run, { file: 'out', message: /destination .*out is not a directory/ });
  });

  it('annotates each of several bad dependencies once, and nothing else', async () => {
    s = scratch('several');
    writeTree(
      join(s.ws, 'wf'),
      chartFiles('wf', {
        requirements: 'dependencies:\n  - name: ../a\n    version: 1.0.0\n  - name: ..\\b\n    version: 1.0.0\n',
      }),
    );
    const run = await runHostileAction('action-package-chart', { chart: 'wf', destination: 'out' }, s);
    expectCleanFailure(run, { file: 'wf/requirements.yaml,line=2', count: 2 });
  });
});

describe('exit codes', () => {
  it(`CLI: ${EXIT_FAILED} when the step failed, ${EXIT_USAGE} for bad usage`, async () => {
    s = scratch('cli-exit');
    writeTree(join(s.ws, 'wf'), chartFiles('.'));
    const failed = await runHostileCli(['package-chart', '--chart', 'wf'], s);
    expect(failed.exitCode, failed.stdout + failed.stderr).toBe(EXIT_FAILED);
    expect(failed.stdout).toMatch(/error: wf\/Chart.yaml:2: .*chart.metadata.name "." is not allowed/);
    expect(failed.stdout.match(/^\s*error: /gm)).toHaveLength(1);
    const usage = await runHostileCli(['package-chart', '--no-such-option', 'x'], s);
    expect(usage.exitCode, usage.stdout + usage.stderr).toBe(EXIT_USAGE);
  });
});

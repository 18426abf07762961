// Class 6 — bytes kept: update-collection promises to change only the dependency entry. Non-UTF-8
// bytes elsewhere in the file survive, a symlinked requirements.yaml is written through to its
// target inside the workspace (and refused when it points outside), and a read-only file is refused
// with a message naming it, never replaced.
import { chmodSync, lstatSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
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

const COLL = 'collections/kaapana-collection';
const CHART_YAML = '---\napiVersion: v1\nversion: 0.1.0\nname: kaapana-extension-collection\n';
const EDIT = { 'collection-dir': COLL, 'chart-name': 'ext', 'chart-version': '1.0.0', build: 'false' };

describe('update-collection keeps every other byte', () => {
  it('keeps Latin-1 bytes in a comment (no U+FFFD)', async () => {
    s = scratch('latin1');
    const head = Buffer.concat([
      Buffer.from('---\n# Erweiterungen f'),
      Buffer.from([0xfc, 0x72, 0x20, 0xff, 0x85]),
      Buffer.from(' caf\u00e9\ndependencies:\n- name: ext\n  version: 0.1.0 # alt \xa7\n', 'latin1'),
    ]);
    writeTree(join(s.ws, COLL), { 'Chart.yaml': CHART_YAML, 'requirements.yaml': head });
    const run = await runHostileAction('action-update-collection', EDIT, s);
    expect(run.exitCode, run.stdout).toBe(0);
    const after = readFileSync(join(s.ws, COLL, 'requirements.yaml'));
    expect(after.toString('latin1')).toBe(head.toString('latin1').replace('version: 0.1.0', 'version: 1.0.0'));
    expect(after.includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(false);
  });

  it('writes through a symlinked requirements.yaml and keeps the link', async () => {
    s = scratch('link-in');
    writeTree(join(s.ws, COLL), { 'Chart.yaml': CHART_YAML, 'shared/requirements.yaml': 'dependencies: []\n' });
    symlinkSync('shared/requirements.yaml', join(s.ws, COLL, 'requirements.yaml'));
    const run = await runHostileAction('action-update-collection', EDIT, s);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(lstatSync(join(s.ws, COLL, 'requirements.yaml')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(s.ws, COLL, 'requirements.yaml'))).toBe('shared/requirements.yaml');
    expect(readFileSync(join(s.ws, COLL, 'shared/requirements.yaml'), 'utf8')).toContain('name: ext');
  });

  it('refuses a requirements.yaml symlink that points outside the workspace', async () => {
    s = scratch('link-out');
    writeTree(s.outside, { 'requirements.yaml': 'dependencies: []\n' });
    writeTree(join(s.ws, COLL), { 'Chart.yaml': CHART_YAML });
    symlinkSync(join(s.outside, 'requirements.yaml'), join(s.ws, COLL, 'requirements.yaml'));
    const before = snapshot(s.root);
    const run = await runHostileAction('action-update-collection', EDIT, s);
    expectCleanFailure(run, { file: `${COLL}/requirements.yaml`, message: /symlink .* outside/ });
    expectChangesOnlyUnder(before, snapshot(s.root), []);
  });

  it('refuses a read-only (0444) requirements.yaml', async () => {
    s = scratch('ro');
    writeTree(join(s.ws, COLL), { 'Chart.yaml': CHART_YAML, 'requirements.yaml': 'dependencies: []\n' });
    chmodSync(join(s.ws, COLL, 'requirements.yaml'), 0o444);
    const before = snapshot(s.root);
    const run = await runHostileAction('action-update-collection', EDIT, s);
    expectCleanFailure(run, { file: `${COLL}/requirements.yaml`, message: /read-only \(mode 0444\)/ });
    expectChangesOnlyUnder(before, snapshot(s.root), []);
  });
});

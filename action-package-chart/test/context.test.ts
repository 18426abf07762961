// getInputs() of action-package-chart: defaults from action.yml, paths resolved against the workspace,
// the reference lint's settings, the runner's boolean rules, and one clear error naming the input for
// each bad value.
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useActionEnv } from '../../test/support/action-unit.js';
import { getInputs } from '../src/context.js';

const env = useActionEnv();
const saved = process.env['GITHUB_WORKSPACE'];
afterEach(() => {
  if (saved === undefined) delete process.env['GITHUB_WORKSPACE'];
  else process.env['GITHUB_WORKSPACE'] = saved;
});

describe('action-package-chart getInputs', () => {
  it('takes every default from action.yml', () => {
    process.env['GITHUB_WORKSPACE'] = '/ws';
    env.inputs({ chart: 'extension/chart' });
    expect(getInputs()).toEqual({
      workspace: '/ws',
      charts: ['extension/chart'],
      version: '',
      appVersion: '',
      dependencyUpdate: true,
      searchPaths: [],
      kaapanaSource: '',
      destination: '/ws',
      push: '',
      username: '',
      password: '',
      skipExisting: false,
      allowExternalSymlinks: false,
      dryRun: false,
      referenceLint: 'error',
      references: { images: [], settings: { tagStyle: 'platform', abbr: 'kp' } },
    });
  });

  it('resolves paths against the workspace and reads chart, then charts', () => {
    process.env['GITHUB_WORKSPACE'] = '/ws';
    env.inputs({
      chart: 'a',
      charts: 'b/*\nc',
      'chart-search-paths': 'ext, /abs',
      'kaapana-source': 'kaapana',
      destination: 'out',
      push: 'oci://127.0.0.1:5000/charts',
      version: '1.2.3',
    });
    const i = getInputs();
    expect(i.charts).toEqual(['a', 'b/*', 'c']);
    expect(i.searchPaths).toEqual(['/ws/ext', '/abs']);
    expect([i.kaapanaSource, i.destination, i.push]).toEqual(['/ws/kaapana', '/ws/out', 'oci://127.0.0.1:5000/charts']);
    expect(i.references.settings.chartVersion).toBe('1.2.3');
  });

  it("takes the reference lint's settings from the inputs, else from the images input", () => {
    delete process.env['GITHUB_WORKSPACE'];
    const plan = JSON.stringify({
      images: [{ name: 'otsu', ref: 'r.example.org/otsu:0.1.0', tag: '0.1.0' }],
      settings: { registry: 'r.example.org', platformVersion: '0.6.0', tagStyle: 'platform' },
    });
    env.inputs({ chart: 'c', images: plan, 'tag-style': 'kp', 'platform-abbr': 'kaapana' });
    const i = getInputs();
    expect(i.workspace).toBe(resolve('.'));
    expect(i.references.images.map((x) => x.name)).toEqual(['otsu']);
    expect(i.references.settings).toMatchObject({
      registry: 'r.example.org',
      platformVersion: '0.6.0',
      tagStyle: 'kp',
      abbr: 'kaapana',
    });
    env.inputs({ chart: 'c', images: plan, registry: 'mine.example.org' });
    expect(getInputs().references.settings.registry).toBe('mine.example.org');
  });

  it("reads booleans by the runner's rules", () => {
    env.inputs({ chart: 'c', 'dependency-update': 'FALSE', 'dry-run': 'True', 'skip-existing': 'TRUE' });
    expect(getInputs()).toMatchObject({ dependencyUpdate: false, dryRun: true, skipExisting: true });
    env.inputs({ chart: 'c', 'allow-external-symlinks': 'y' });
    expect(() => getInputs()).toThrow(/input allow-external-symlinks must be true or false/);
  });

  it('names the input of every bad value', () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{}, /set the input chart \(one chart directory\) or charts/],
      [{ chart: 'c', push: 'https://ghcr.io/x' }, /is not an OCI reference/],
      [{ chart: 'c', 'reference-lint': 'strict' }, /input reference-lint must be one of error, warn, off/],
      [{ chart: 'c', 'tag-style': 'calver' }, /tag-style "calver" is unknown/],
      [{ chart: 'c', images: '{not json' }, /input images/],
    ];
    for (const [inputs, error] of bad) {
      env.inputs(inputs);
      expect(() => getInputs(), JSON.stringify(inputs)).toThrow(error);
    }
  });
});

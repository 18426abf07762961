// getInputs() of action-update-collection: defaults from action.yml, paths resolved, the inputs shaped
// as the core calls' options (absent rather than empty), the runner's boolean rules, and one clear
// error naming the input for each bad value.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useActionEnv } from '../../test/support/action-unit.js';
import { getInputs } from '../src/context.js';

const env = useActionEnv();

describe('action-update-collection getInputs', () => {
  it('takes every default from action.yml', () => {
    env.inputs({ registry: '127.0.0.1:5000/kaapana' });
    const i = getInputs();
    const collectionDir = resolve('collections/kaapana-collection');
    expect(i.base).toBeUndefined();
    expect(i.edit).toEqual({
      collectionDir,
      repository: 'auto',
      dryRun: false,
      displayRoot: process.env.GITHUB_WORKSPACE ?? process.cwd(),
    });
    expect(i.target).toEqual({ collectionDir, registry: '127.0.0.1:5000/kaapana', tagStyle: 'platform', abbr: 'kp' });
    expect(i.content).toEqual({
      context: resolve('.'),
      ignore: [],
      baseImages: {},
      archives: [],
      missing: 'error',
      push: true,
      skipExisting: false,
      retry: { attempts: 5 },
    });
    expect(i).toMatchObject({
      dryRun: false,
      build: true,
      push: true,
      commit: false,
      commitMessage: '',
      platformVersion: '',
      registryHost: '127.0.0.1:5000',
      username: '',
      password: '',
    });
  });

  it('resolves paths and passes what is given', () => {
    env.inputs({
      registry: 'ghcr.io/Org',
      chart: 'ext/chart',
      'chart-name': 'otsu',
      'chart-version': '0.1.0',
      charts: 'a-1.0.0.tgz\nb-2.0.0.tgz',
      'chart-search-dirs': 'ext, more',
      'kaapana-source': 'kaapana',
      'tag-style': 'kp',
      'platform-version': '0.1.3',
      'collection-version': '0.1.0',
      'base-images': 'local-only/base-installer:latest=r/base-installer:0.6.0',
    });
    const i = getInputs();
    expect(i.edit).toMatchObject({ chartDir: resolve('ext/chart'), name: 'otsu', version: '0.1.0' });
    expect(i.target).toMatchObject({
      registry: 'ghcr.io/org',
      tagStyle: 'kp',
      platformVersion: '0.1.3',
      version: '0.1.0',
    });
    expect(i.content).toMatchObject({
      archives: [resolve('a-1.0.0.tgz'), resolve('b-2.0.0.tgz')],
      searchDirs: [resolve('ext'), resolve('more')],
      kaapanaSource: resolve('kaapana'),
      baseImages: { 'local-only/base-installer:latest': 'r/base-installer:0.6.0' },
    });
    expect(i.registryHost).toBe('ghcr.io');
  });

  it('base-collection: its options, pushed to the base repository unless registry is given', () => {
    env.inputs({ 'base-collection': 'registry.example.org:5000/kaapana/kaapana-extension-collection:0.6.0' });
    const i = getInputs();
    expect(i.base).toEqual({
      base: 'registry.example.org:5000/kaapana/kaapana-extension-collection:0.6.0',
      archives: [],
      collectionDir: resolve('collections/kaapana-collection'),
      repository: 'auto',
      dryRun: false,
      build: true,
      push: true,
      displayRoot: process.env.GITHUB_WORKSPACE ?? process.cwd(),
      retry: { attempts: 5 },
    });
    expect(i.registryHost).toBe('registry.example.org:5000');
    env.inputs({ 'base-collection': 'registry.example.org/k/c:0.6.0', registry: '127.0.0.1:5000/mine' });
    expect([getInputs().base?.registry, getInputs().registryHost]).toEqual(['127.0.0.1:5000/mine', '127.0.0.1:5000']);
  });

  it('needs a registry to build, not to edit only', () => {
    env.inputs({});
    expect(() => getInputs()).toThrow(/input registry is required when build is true \(or give base-collection\)/);
    env.inputs({ build: 'false' });
    expect(getInputs()).toMatchObject({ build: false, registryHost: '' });
  });

  it("reads booleans by the runner's rules", () => {
    env.inputs({ build: 'FALSE', 'dry-run': 'True', commit: 'TRUE', push: 'false', 'skip-existing': 'true' });
    expect(getInputs()).toMatchObject({ build: false, dryRun: true, commit: true, push: false });
    expect(getInputs().content.skipExisting).toBe(true);
    env.inputs({ registry: 'r.example.org', commit: 'yes' });
    expect(() => getInputs()).toThrow(/input commit must be true or false/);
  });

  it('names the input of every bad value', () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ 'missing-charts': 'ignore' }, /input missing-charts must be one of error, warn/],
      [{ retries: '0' }, /input retries must be a whole number ≥ 1/],
      [{ 'tag-style': 'semver' }, /tag-style "semver" is unknown/],
      [{ 'base-images': 'no-equals-sign: [' }, /input base-images/],
      [{ registry: 'not a host' }, /does not start with a registry host/],
    ];
    for (const [inputs, error] of bad) {
      env.inputs({ registry: 'r.example.org', ...inputs });
      expect(() => getInputs(), JSON.stringify(inputs)).toThrow(error);
    }
  });
});

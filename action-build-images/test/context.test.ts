// getInputs() of action-build-images: defaults from action.yml (Kaapana's ignore patterns included),
// the build plan's options, the build features and registry-auth parsed with their secrets masked,
// the runner's boolean rules, and one clear error naming the input for each bad value.
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { useActionEnv } from '../../test/support/action-unit.js';
import { getInputs } from '../src/context.js';

const env = useActionEnv();

describe('action-build-images getInputs', () => {
  it('takes every default from action.yml', () => {
    env.inputs({ registry: '127.0.0.1:5000/kaapana' });
    const i = getInputs();
    expect(i.plan).toEqual({
      context: resolve('.'),
      dockerfiles: [],
      ignore: [],
      registry: '127.0.0.1:5000/kaapana',
      version: '',
      imageVersions: {},
      chartVersion: '',
      kaapanaSource: '',
      kaapanaIgnore: ['templates_and_examples', 'ci', 'lib/task_api'],
      tagStyle: 'platform',
      platformVersion: '',
      abbr: 'kp',
      baseImages: {},
      includeIgnored: false,
      ociLabels: true,
      labels: {},
      extraTags: [],
    });
    expect(i).toMatchObject({
      referenceLint: 'error',
      buildArgs: {},
      parallel: 2,
      push: true,
      pushPartial: false,
      skipExisting: false,
      builder: 'auto',
      retries: 5,
      username: '',
      password: '',
      registryAuth: [],
      features: { cacheFrom: [], cacheTo: [], target: '', secrets: [], buildContexts: [] },
      localImages: '',
      saveLocalImages: '',
      dryRun: false,
    });
  });

  it('reads lists, maps, paths and the build features', () => {
    env.inputs({
      registry: 'ghcr.io/org',
      context: 'examples/x',
      dockerfiles: 'a/Dockerfile, b/**',
      'kaapana-ignore-patterns': 'ci, tests',
      'image-versions': 'otsu=1.2.3',
      'extra-tags': 'latest\nsha-abc',
      'cache-from': 'type=registry,ref=ghcr.io/org/cache',
      'build-contexts': 'shared=../shared',
      target: 'runtime',
      'local-images': 'bases.tar',
    });
    const i = getInputs();
    expect(i.plan).toMatchObject({
      context: resolve('examples/x'),
      dockerfiles: ['a/Dockerfile', 'b/**'],
      kaapanaIgnore: ['ci', 'tests'],
      imageVersions: { otsu: '1.2.3' },
      extraTags: ['latest', 'sha-abc'],
    });
    expect(i.features.cacheFrom).toHaveLength(1);
    expect(i.features.buildContexts).toEqual(['shared=../shared']);
    expect(i.features.target).toBe('runtime');
    expect(i.localImages).toBe(resolve('bases.tar'));
  });

  it('masks every secret as it is read', () => {
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      env.inputs({
        registry: 'r.example.org',
        password: 'pw-1',
        secrets: 'token=s3cr3t,with,commas\n  other=two',
        'registry-auth': '- {registry: a.example.org, username: u, password: pw-2}',
      });
      const i = getInputs();
      expect(i.features.secrets).toEqual([
        { id: 'token', value: 's3cr3t,with,commas' },
        { id: 'other', value: 'two' },
      ]);
      expect(i.registryAuth).toEqual([{ registry: 'a.example.org', username: 'u', password: 'pw-2' }]);
      const masked = out.filter((l) => l.startsWith('::add-mask::')).map((l) => l.slice(12).trim());
      expect(masked).toEqual(expect.arrayContaining(['pw-1', 's3cr3t,with,commas', 'two', 'pw-2']));
    } finally {
      write.mockRestore();
    }
  });

  it("reads booleans by the runner's rules", () => {
    env.inputs({ registry: 'r.example.org', push: 'FALSE', 'dry-run': 'True', 'oci-labels': 'false' });
    const i = getInputs();
    expect([i.push, i.dryRun, i.plan.ociLabels]).toEqual([false, true, false]);
    env.inputs({ registry: 'r.example.org', 'push-partial': '1' });
    expect(() => getInputs()).toThrow(/input push-partial must be true or false/);
  });

  it('names the input of every bad value', () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ registry: '' }, /Input required and not supplied: registry/],
      [{ registry: 'no host' }, /does not start with a registry host/],
      [{ parallel: '0' }, /input parallel must be a whole number ≥ 1/],
      [{ builder: 'kaniko' }, /input builder must be one of auto, buildx, classic/],
      [{ 'reference-lint': 'loud' }, /input reference-lint must be one of error, warn, off/],
      [{ 'tag-style': 'x' }, /tag-style "x" is unknown/],
      [{ 'registry-auth': '- {registry: a.example.org}' }, /input registry-auth, entry 1: username is missing/],
      [{ 'cache-to': 'mode=max' }, /cache-to: "mode=max" has key=value fields but no type=/],
      [{ secrets: '=no-id' }, /secrets: each entry is id=value/],
      [{ 'build-contexts': 'no-equals' }, /build-contexts: "no-equals" is not name=path/],
    ];
    for (const [inputs, error] of bad) {
      env.inputs({ registry: 'r.example.org', ...inputs });
      expect(() => getInputs(), JSON.stringify(inputs)).toThrow(error);
    }
  });
});

// Unit tests of the docker/build-push-action pass-through (which builder takes which form), the git
// metadata (OCI labels, extra tags) and the registry-auth reader. No daemons needed.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyMetadata,
  cacheArgs,
  checkBuildFeatures,
  expandExtraTag,
  NO_FEATURES,
  ociLabels,
  parseBuildContexts,
  parseCacheEntry,
  parseSecrets,
  readGitMetadata,
  remoteToSource,
  type BuildPlan,
  type PlannedImage,
} from '../../src/images/index.js';
import { plannedImage } from '../support/planned-image.js';

const vars = { image: 'otsu', tag: '0.6.0', ref: 'ghcr.io/org/otsu:0.6.0', registry: 'ghcr.io/org' };

describe('cache entries', () => {
  it('a bare reference is an image; type= forms keep their type', () => {
    expect(parseCacheEntry('{{registry}}/{{image}}:latest', 'cache-from').type).toBe('image');
    expect(parseCacheEntry('type=gha', 'cache-from').type).toBe('gha');
    expect(parseCacheEntry('type=registry,ref=ghcr.io/x:cache,mode=max', 'cache-to').type).toBe('registry');
    expect(() => parseCacheEntry('ref=ghcr.io/x:cache', 'cache-from')).toThrow(/no type=/);
  });
  it('placeholders per image; gha gets a per-image scope unless one is given', () => {
    const entries = ['{{registry}}/{{image}}:latest', 'type=gha', 'type=gha,scope=shared'].map((e) =>
      parseCacheEntry(e, 'cache-from'),
    );
    expect(cacheArgs(entries, vars, 'cache-from')).toEqual([
      'ghcr.io/org/otsu:latest',
      'type=gha,scope=otsu',
      'type=gha,scope=shared',
    ]);
    expect(() => cacheArgs([parseCacheEntry('x/{{nope}}:1', 'cache-from')], vars, 'cache-from')).toThrow(
      /unknown placeholder \{\{nope\}\}/,
    );
  });
});

describe('which builder can do what', () => {
  const all = {
    cacheFrom: [parseCacheEntry('ghcr.io/org/otsu:latest', 'cache-from'), parseCacheEntry('type=gha', 'cache-from')],
    cacheTo: [parseCacheEntry('type=gha,mode=max', 'cache-to')],
    target: 'runtime',
    secrets: parseSecrets(['token=s3cr3t']),
    buildContexts: parseBuildContexts(['assets=../assets']),
  };
  it('the classic builder refuses every buildx-only form in one error, never showing a secret value', () => {
    let msg = '';
    try {
      checkBuildFeatures(all, 'classic');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/classic builder/);
    expect(msg).toMatch(/cache-from "type=gha": type=gha is a buildx cache/);
    expect(msg).toMatch(/cache-to "type=gha,mode=max"/);
    expect(msg).toMatch(/secrets \(token\)/);
    expect(msg).toMatch(/build-contexts \(assets\)/);
    expect(msg).not.toContain('s3cr3t');
    expect(msg).not.toMatch(/target|ghcr\.io\/org\/otsu:latest"/);
  });
  it('the classic builder takes image cache sources and target', () => {
    expect(() =>
      checkBuildFeatures({ ...NO_FEATURES, cacheFrom: [all.cacheFrom[0]!], target: 'runtime' }, 'classic'),
    ).not.toThrow();
  });
  it('buildx takes everything; build-contexts need buildx ≥ 0.8', () => {
    expect(() => checkBuildFeatures(all, 'buildx', '0.12.1')).not.toThrow();
    expect(() => checkBuildFeatures(all, 'buildx')).not.toThrow();
    expect(() => checkBuildFeatures(all, 'buildx', '0.7.1')).toThrow(/buildx ≥ 0.8/);
  });
  it('secrets and build contexts are checked for their shape without echoing values', () => {
    expect(() => parseSecrets(['=oops-value'])).toThrow(/id=value/);
    expect(() => parseSecrets(['=oops-value'])).not.toThrow(/oops-value/);
    expect(() => parseBuildContexts(['no-equals'])).toThrow(/name=path/);
  });
});

describe('metadata from git', () => {
  it('remote URLs become https source URLs without credentials', () => {
    expect(remoteToSource('git@github.com:org/ext.git')).toBe('https://github.com/org/ext');
    expect(remoteToSource('https://user:tok3n@gitlab.example.org/g/ext.git')).toBe('https://gitlab.example.org/g/ext');
    expect(remoteToSource('ssh://git@host.example/org/ext')).toBe('https://host.example/org/ext');
    expect(remoteToSource('/srv/git/ext')).toBeUndefined();
  });
  it('reads the runner variables and the event payload first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kx18b-meta-'));
    const event = join(dir, 'event.json');
    await writeFile(
      event,
      JSON.stringify({
        repository: {
          html_url: 'https://github.com/org/ext',
          description: 'Otsu extension',
          license: { spdx_id: 'Apache-2.0' },
        },
      }),
    );
    const sha = 'a'.repeat(40);
    const meta = await readGitMetadata(dir, {
      GITHUB_SHA: sha,
      GITHUB_EVENT_PATH: event,
      SOURCE_DATE_EPOCH: '1700000000',
    });
    expect(meta).toEqual({
      created: '2023-11-14T22:13:20.000Z',
      revision: sha,
      source: 'https://github.com/org/ext',
      description: 'Otsu extension',
      licenses: 'Apache-2.0',
    });
    expect(ociLabels(meta, { name: 'otsu', version: '0.6.0' })).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/org/ext',
      'org.opencontainers.image.revision': sha,
      'org.opencontainers.image.version': '0.6.0',
      'org.opencontainers.image.title': 'otsu',
      'org.opencontainers.image.licenses': 'Apache-2.0',
    });
  });
  it('extra tags: latest, sha-{{sha}} (7 characters), illegal results refused', () => {
    const sha = '0123456789abcdef0123456789abcdef01234567';
    expect(expandExtraTag('latest', { sha, version: '0.6.0' })).toBe('latest');
    expect(expandExtraTag('sha-{{sha}}', { sha, version: '0.6.0' })).toBe('sha-0123456');
    expect(expandExtraTag('{{version}}-{{long-sha}}', { sha, version: '0.6.0' })).toBe(`0.6.0-${sha}`);
    expect(() => expandExtraTag('sha-{{sha}}', { version: '1' })).toThrow(/needs the commit SHA/);
    expect(() => expandExtraTag('-bad', { version: '1' })).toThrow(/not a legal Docker tag/);
  });
  it('applyMetadata: labels on every image (Dockerfile labels kept, user labels win), extra tags only on pushed images (local-only images get no labels: a per-run label would break the cache of their dependents)', () => {
    const img = (name: string, localOnly: boolean): PlannedImage => {
      const ref = localOnly ? `local-only/${name}:latest` : `ghcr.io/org/${name}:0.6.0`;
      const tag = localOnly ? 'latest' : '0.6.0';
      return plannedImage(name, {
        dockerfilePath: '',
        contextDir: '',
        localOnly,
        tag,
        ref,
        tags: [ref],
        versionRule: 'test',
      });
    };
    const plan: BuildPlan = {
      images: [img('base', true), img('otsu', false)],
      baseImages: [],
      skipped: [],
      duplicates: [],
    };
    const out = applyMetadata(
      plan,
      {
        meta: { created: 'now', revision: 'f'.repeat(40), source: 'https://github.com/org/ext' },
        extraTags: ['latest', 'sha-{{sha}}'],
        labels: { 'org.opencontainers.image.version': 'custom', team: 'x' },
      },
      (i) => (i.name === 'otsu' ? { 'org.opencontainers.image.title': 'Otsu from Dockerfile' } : {}),
    );
    expect(out.images[0]!.tags).toEqual(['local-only/base:latest']);
    expect(out.images[1]!.tags).toEqual([
      'ghcr.io/org/otsu:0.6.0',
      'ghcr.io/org/otsu:latest',
      'ghcr.io/org/otsu:sha-fffffff',
    ]);
    expect(out.images[1]!.labels!['org.opencontainers.image.title']).toBeUndefined();
    expect(out.images[1]!.labels!['org.opencontainers.image.version']).toBe('custom');
    expect(out.images[0]!.labels).toEqual({});
    const none = applyMetadata(plan, { meta: { created: 'now' }, ociLabels: false }, () => ({}));
    expect(none.images[1]!.labels).toEqual({});
  });
});

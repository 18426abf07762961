// kaapana-source: local-only bases taken from a Kaapana checkout (only the needed ones,
// transitively), Kaapana's substring ignore patterns, and duplicate IMAGE labels resolved as
// Kaapana's build does (first in path order kept, logged; an error only when a needed image is
// ambiguous). The Kaapana tree is a minimal one written here, laid out like kaapana/kaapana@0.6.0.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  discoverDockerfiles,
  discoverKaapanaDockerfiles,
  isKaapanaIgnored,
  kaapanaSource,
} from '../../src/images/discover.js';
import { planBuild } from '../../src/images/plan.js';
import { writeTree } from '../support/write-tree.js';

let root: string;
let ext: string;
let kaapana: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kx16-src-'));
  ext = join(root, 'ext');
  kaapana = join(root, 'kaapana');
});
afterEach(async () => rm(root, { recursive: true, force: true }));

const tree = writeTree;
const local = (image: string, from = 'ubuntu:24.04') =>
  `FROM ${from}\nLABEL REGISTRY="local-only"\nLABEL IMAGE="${image}"\n`;

const KAAPANA = {
  'build-scripts/start_build.py': '',
  'services/utils/base-installer/Dockerfile': local('base-installer', 'local-only/base-python-cpu:latest'),
  'data-processing/base-images/base-python-cpu/Dockerfile': local('base-python-cpu', 'python:3.12'),
  'data-processing/base-images/base-python-gpu/Dockerfile': local(
    'base-python-gpu',
    'nvidia/cuda:12.4.0-base-ubuntu22.04',
  ),
  'templates_and_examples/examples/x/Dockerfile': local('base-installer', 'alpine:3'),
  'lib/task_api/dummy/Dockerfile': local('dummy'),
  'services/dummy/Dockerfile': local('dummy'),
  'ci/runner/Dockerfile': local('base-python-cpu', 'alpine:3'),
  'services/kaapana-admin/kube-helm/docker/Dockerfile':
    'FROM local-only/base-python-cpu:latest\nLABEL IMAGE="kube-helm"\n',
};
const EXT = {
  'processing-containers/otsu/Dockerfile': 'FROM local-only/base-python-cpu:latest\nLABEL IMAGE="otsu"\n',
  'extension/docker/Dockerfile': 'FROM local-only/base-installer:latest\nLABEL IMAGE="dag-otsu"\n',
};

async function plan(opts: { select?: string[] } = {}) {
  const found = await discoverDockerfiles({ context: ext, ...(opts.select ? { dockerfiles: opts.select } : {}) });
  const logs: string[] = [];
  const p = await planBuild({
    context: ext,
    ...found,
    registry: 'registry.example.org/kx16',
    version: '0.6.0',
    source: await kaapanaSource(kaapana),
    log: (m) => logs.push(m),
  });
  return { p, logs };
}

describe('Kaapana ignore patterns', () => {
  it('are plain substring matches, as in container_helper.py', () => {
    expect(isKaapanaIgnored('templates_and_examples/a/Dockerfile', ['templates_and_examples'])).toBe(true);
    expect(isKaapanaIgnored('services/lib/task_api/x/Dockerfile', ['lib/task_api'])).toBe(true);
    expect(isKaapanaIgnored('services/precision/Dockerfile', ['ci'])).toBe(true);
    expect(isKaapanaIgnored('services/store/Dockerfile', ['ci'])).toBe(false);
  });

  it('apply to a kaapana-source tree', async () => {
    await tree(kaapana, KAAPANA);
    const files = (await discoverKaapanaDockerfiles(kaapana)).map((f) => f.slice(kaapana.length + 1));
    expect(files).toEqual([
      'data-processing/base-images/base-python-cpu/Dockerfile',
      'data-processing/base-images/base-python-gpu/Dockerfile',
      'services/dummy/Dockerfile',
      'services/kaapana-admin/kube-helm/docker/Dockerfile',
      'services/utils/base-installer/Dockerfile',
    ]);
  });
});

describe('kaapana-source bases', () => {
  it('builds only the local-only bases the extension needs, transitively, never Kaapana images', async () => {
    await tree(kaapana, KAAPANA);
    await tree(ext, EXT);
    const { p } = await plan();
    expect(p.images.map((i) => [i.name, i.origin, i.localOnly, i.implicit, i.dockerfile])).toEqual([
      [
        'base-python-cpu',
        'kaapana-source',
        true,
        true,
        'kaapana-source/data-processing/base-images/base-python-cpu/Dockerfile',
      ],
      ['base-installer', 'kaapana-source', true, true, 'kaapana-source/services/utils/base-installer/Dockerfile'],
      ['otsu', 'context', false, false, 'processing-containers/otsu/Dockerfile'],
      ['dag-otsu', 'context', false, false, 'extension/docker/Dockerfile'],
    ]);
    expect(p.images.find((i) => i.name === 'otsu')).toMatchObject({
      ref: 'registry.example.org/kx16/otsu:0.6.0',
      versionRule: 'version input',
    });
  });

  it('a base the context defines wins over the checkout, logged', async () => {
    await tree(kaapana, KAAPANA);
    await tree(ext, { ...EXT, 'offline/base-installer/Dockerfile': local('base-installer', 'scratch') });
    const { p, logs } = await plan();
    expect(p.images.find((i) => i.name === 'base-installer')?.origin).toBe('context');
    expect(p.images.find((i) => i.name === 'base-installer')?.dependsOn).toEqual([]);
    expect(logs).toContain(
      'local-only/base-installer: using offline/base-installer/Dockerfile of the context, not kaapana-source/services/utils/base-installer/Dockerfile',
    );
  });

  it('keeps the first of duplicates nobody needs and logs it, as build_state.add_container', async () => {
    await tree(kaapana, { ...KAAPANA, 'services/zzz/Dockerfile': local('base-python-gpu') });
    await tree(ext, EXT);
    const { p, logs } = await plan();
    expect(p.duplicates).toEqual([
      {
        image: 'base-python-gpu',
        kept: 'kaapana-source/data-processing/base-images/base-python-gpu/Dockerfile',
        dropped: 'kaapana-source/services/zzz/Dockerfile',
      },
    ]);
    expect(
      logs.some((l) =>
        l.startsWith('duplicate image "base-python-gpu": kaapana-source/services/zzz/Dockerfile not added'),
      ),
    ).toBe(true);
  });

  it('a needed base defined twice is an error naming both files', async () => {
    await tree(kaapana, { ...KAAPANA, 'services/zzz/Dockerfile': local('base-installer') });
    await tree(ext, EXT);
    await expect(plan()).rejects.toThrow(
      /image "base-installer" is needed by this build but defined twice: kaapana-source\/services\/utils\/base-installer\/Dockerfile and kaapana-source\/services\/zzz\/Dockerfile/,
    );
  });

  it('an explicitly selected Dockerfile that Kaapana would drop is an error', async () => {
    await tree(ext, { ...EXT, 'other/Dockerfile': 'FROM alpine:3\nLABEL IMAGE="otsu"\n' });
    await tree(kaapana, KAAPANA);
    await expect(plan({ select: ['processing-containers/otsu/Dockerfile'] })).rejects.toThrow(
      /image "otsu" is needed by this build but defined twice: other\/Dockerfile and processing-containers/,
    );
  });
});

describe('a Kaapana checkout as the context', () => {
  it('plans the whole tree: ignore patterns applied, duplicate non-base images keep the first', async () => {
    await tree(kaapana, {
      ...KAAPANA,
      'services/postgres/9.5-alpine/Dockerfile':
        'FROM postgres:9.5.24-alpine\nLABEL IMAGE="postgres"\nLABEL VERSION="9.5-alpine"\n',
      'services/postgres/9.6-alpine/Dockerfile':
        'FROM postgres:9.6-alpine\nLABEL IMAGE="postgres"\nLABEL VERSION="9.6-alpine"\n',
    });
    const found = await discoverDockerfiles({ context: kaapana });
    const logs: string[] = [];
    const p = await planBuild({
      context: kaapana,
      ...found,
      registry: 'registry.example.org/kx16',
      version: '0.6.0',
      log: (m) => logs.push(m),
    });
    expect(p.images.map((i) => i.name).sort()).toEqual([
      'base-installer',
      'base-python-cpu',
      'base-python-gpu',
      'dummy',
      'kube-helm',
      'postgres',
    ]);
    expect(p.images.find((i) => i.name === 'postgres')?.dockerfile).toBe('services/postgres/9.5-alpine/Dockerfile');
    expect(p.duplicates.map((d) => d.dropped)).toEqual(['services/postgres/9.6-alpine/Dockerfile']);
  });

  it('a local-only image and a pushed one of the same name (0.1.3 Dockerfile / DockerfileRemote): the local-only one is kept', async () => {
    await tree(kaapana, {
      'build-scripts/start_build.py': '',
      'data-processing/base-images/base-python-cpu/Dockerfile': local('base-python-cpu', 'python:3.8.10'),
      'data-processing/base-images/base-python-cpu/DockerfileRemote':
        'FROM local-only/base-python-cpu:0.1.0\nLABEL IMAGE="base-python-cpu"\n',
      'services/app/Dockerfile': 'FROM local-only/base-python-cpu:0.1.0\nLABEL IMAGE="app"\n',
    });
    const found = await discoverDockerfiles({ context: kaapana });
    const p = await planBuild({ context: kaapana, ...found, registry: 'registry.example.org/kx16', version: '0.1.3' });
    expect(p.images.map((i) => [i.name, i.localOnly])).toEqual([
      ['base-python-cpu', true],
      ['app', false],
    ]);
    expect(p.duplicates).toEqual([
      {
        image: 'base-python-cpu',
        kept: 'data-processing/base-images/base-python-cpu/Dockerfile',
        dropped: 'data-processing/base-images/base-python-cpu/DockerfileRemote',
      },
    ]);
  });
});

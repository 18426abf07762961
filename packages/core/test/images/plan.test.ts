import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverDockerfiles, isIgnored } from '../../src/images/discover.js';
import { planBuild, planToMermaid, type PlanOptions } from '../../src/images/plan.js';
import { KxAggregateError, KxError } from '../../src/errors/index.js';
import { writeTree } from '../support/write-tree.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kx-plan-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tree = (files: Record<string, string>) => writeTree(dir, files);

async function plan(extra: Partial<PlanOptions> = {}, select?: string[]) {
  const found = await discoverDockerfiles({ context: dir, ...(select ? { dockerfiles: select } : {}) });
  return planBuild({ context: dir, ...found, registry: '127.0.0.1:5000/kaapana', version: '0.1.0', ...extra });
}

const BASE = 'FROM scratch\nLABEL REGISTRY="local-only"\nLABEL IMAGE="dag-installer"\nLABEL VERSION="0.1.0"\n';
const DAG = 'FROM local-only/dag-installer:0.1.0\nLABEL IMAGE="dag-example-otsus-method"\n';
const ALGO = 'FROM alpine:3.19\nLABEL IMAGE="example-otsus-method"\nLABEL VERSION="0.1.0"\n';

describe('discovery', () => {
  it('finds Dockerfile* below the context, sorted, skipping ignored segments', async () => {
    await tree({
      'a/Dockerfile': ALGO,
      'b/Dockerfile.gpu': ALGO.replace('example-otsus-method', 'gpu'),
      'templates_and_examples/x/Dockerfile': ALGO,
      'node_modules/y/Dockerfile': ALGO,
      'c/not-a-dockerfile': 'x',
    });
    const found = await discoverDockerfiles({ context: dir, ignore: ['templates_and_examples'] });
    expect(found.all.map((f) => f.slice(dir.length + 1))).toEqual(['a/Dockerfile', 'b/Dockerfile.gpu']);
  });
  it('segment patterns do not match substrings; globs match paths', () => {
    expect(isIgnored('ci/Dockerfile', ['ci'])).toBe(true);
    expect(isIgnored('services/Dockerfile', ['ci'])).toBe(false);
    expect(isIgnored('a/tests/b/Dockerfile', ['a/tests'])).toBe(true);
    expect(isIgnored('x/Dockerfile.dev', ['**/Dockerfile.dev'])).toBe(true);
  });
  it('explicit list and glob, with clear errors for no match', async () => {
    await tree({ 'a/Dockerfile': ALGO, 'b/Dockerfile': DAG, 'base/Dockerfile': BASE });
    const found = await discoverDockerfiles({ context: dir, dockerfiles: ['b/*'] });
    expect(found.selected.map((f) => f.slice(dir.length + 1))).toEqual(['b/Dockerfile']);
    expect(found.all).toHaveLength(3);
    await expect(discoverDockerfiles({ context: dir, dockerfiles: ['zzz/*'] })).rejects.toThrow(
      /matches no Dockerfile/,
    );
    await expect(discoverDockerfiles({ context: dir, dockerfiles: ['nope/Dockerfile'] })).rejects.toThrow(
      /does not exist/,
    );
    await expect(discoverDockerfiles({ context: join(dir, 'missing') })).rejects.toThrow(/does not exist/);
  });
});

describe('planBuild', () => {
  it('orders local-only bases first and tags per convention', async () => {
    await tree({ 'base/Dockerfile': BASE, 'dag/Dockerfile': DAG, 'algo/Dockerfile': ALGO });
    const p = await plan();
    expect(p.images.map((i) => [i.name, i.level, i.localOnly])).toEqual([
      ['dag-installer', 0, true],
      ['example-otsus-method', 0, false],
      ['dag-example-otsus-method', 1, false],
    ]);
    const dag = p.images.find((i) => i.name === 'dag-example-otsus-method')!;
    expect(dag.ref).toBe('127.0.0.1:5000/kaapana/dag-example-otsus-method:0.1.0');
    expect(dag.dependsOn).toEqual(['dag-installer']);
    const base = p.images[0]!;
    expect(base.ref).toBe('local-only/dag-installer:0.1.0');
    expect(base.tags.sort()).toEqual(['local-only/dag-installer:0.1.0', 'local-only/dag-installer:latest']);
    expect(planToMermaid(p)).toContain('n_dag_installer --> n_dag_example_otsus_method');
  });

  it('kp tag style', async () => {
    await tree({ 'algo/Dockerfile': ALGO });
    const p = await plan({ tagStyle: 'kp', platformVersion: '0.1.3' });
    expect(p.images[0]!.ref).toBe('127.0.0.1:5000/kaapana/example-otsus-method:kp_0.1.3__0.1.0');
  });

  it('falls back to the VERSION label, and errors when there is none', async () => {
    await tree({ 'algo/Dockerfile': ALGO.replace('0.1.0', '2.3.4') });
    expect((await plan({ version: '' })).images[0]!.tag).toBe('2.3.4');
    await tree({ 'algo/Dockerfile': 'FROM alpine:3\nLABEL IMAGE="x"\n' });
    await expect(plan({ version: '' })).rejects.toThrow(/no version/);
  });

  it('adds the local bases of a selection and marks them implicit', async () => {
    await tree({ 'base/Dockerfile': BASE, 'dag/Dockerfile': DAG, 'algo/Dockerfile': ALGO });
    const p = await plan({}, ['dag/Dockerfile']);
    expect(p.images.map((i) => [i.name, i.implicit])).toEqual([
      ['dag-installer', true],
      ['dag-example-otsus-method', false],
    ]);
  });

  it('missing local base: error naming Dockerfile and line', async () => {
    await tree({ 'dag/Dockerfile': '# the DAG image\n' + DAG });
    const err = (await plan().catch((e) => e)) as KxError;
    expect(err).toBeInstanceOf(KxError);
    expect(err.message).toMatch(/base image missing: local-only\/dag-installer:0.1.0/);
    expect(err.file).toBe('dag/Dockerfile');
    expect(err.line).toBe(2);
  });

  it('a base-images mapping supplies a missing local base', async () => {
    await tree({ 'dag/Dockerfile': DAG });
    const p = await plan({
      baseImages: { 'local-only/dag-installer:0.1.0': 'registry.example/kaapana/dag-installer:0.1.0' },
    });
    expect(p.baseImages).toEqual([
      { localRef: 'local-only/dag-installer:0.1.0', source: 'registry.example/kaapana/dag-installer:0.1.0' },
    ]);
    expect(p.images[0]!.mappedBases).toEqual(['local-only/dag-installer:0.1.0']);
  });

  it('reports a cycle with the images in it', async () => {
    await tree({
      'a/Dockerfile': 'FROM local-only/b:latest\nLABEL REGISTRY="local-only"\nLABEL IMAGE="a"\n',
      'b/Dockerfile': 'FROM local-only/a:latest\nLABEL REGISTRY="local-only"\nLABEL IMAGE="b"\n',
      'c/Dockerfile': 'FROM local-only/a:latest\nLABEL IMAGE="c"\n',
    });
    await expect(plan()).rejects.toThrow(/build cycle: a \(a\/Dockerfile\) → b \(b\/Dockerfile\) → a/);
  });

  it('skips BUILD_IGNORE / CI_IGNORE images and says why', async () => {
    await tree({
      'algo/Dockerfile': ALGO + 'LABEL CI_IGNORE="True"\n',
      'x/Dockerfile': 'FROM alpine:3\nLABEL IMAGE="x"\n',
    });
    const p = await plan();
    expect(p.images.map((i) => i.name)).toEqual(['x']);
    expect(p.skipped).toEqual([{ dockerfile: 'algo/Dockerfile', reason: 'CI_IGNORE=True' }]);
    expect((await plan({ includeIgnored: true })).images).toHaveLength(2);
  });

  it('collects every bad Dockerfile into one error', async () => {
    await tree({
      'a/Dockerfile': 'FROM alpine\nLABEL IMAGE="a"\n',
      'b/Dockerfile': 'FROM alpine:3\n',
      'c/Dockerfile': 'FROM alpine:3\nLABEL IMAGE="Bad Name"\n',
      'd1/Dockerfile': 'FROM alpine:3\nLABEL IMAGE="dup"\n',
      'd2/Dockerfile': 'FROM alpine:3\nLABEL IMAGE="dup"\n',
    });
    const err = (await plan().catch((e) => e)) as KxAggregateError;
    expect(err).toBeInstanceOf(KxAggregateError);
    expect(err.errors.map((e) => `${e.file}:${e.line}`).sort()).toEqual([
      'a/Dockerfile:1',
      'b/Dockerfile:1',
      'c/Dockerfile:2',
    ]);
    expect(err.message).toMatch(/LABEL IMAGE="<name>" is missing/);
  });

  it('ARG-substituted local bases count as edges', async () => {
    await tree({
      'base/Dockerfile': 'FROM scratch\nLABEL REGISTRY="local-only"\nLABEL IMAGE="base-installer"\n',
      'coll/Dockerfile':
        'ARG BASE=local-only/base-installer\nFROM ${BASE}:latest\nLABEL IMAGE="kaapana-extension-collection"\n',
    });
    const p = await plan();
    expect(p.images.map((i) => i.name)).toEqual(['base-installer', 'kaapana-extension-collection']);
  });
});

// Integration tests of image building against the real Docker engine and the real registry on
// 127.0.0.1 (started by scripts/with-services.sh), including injected registry faults.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImages, discoverDockerfiles, planBuild, type ImageResult } from '@kaapana-ext/core/images';
import { KxAggregateError, KxError } from '@kaapana-ext/core';
import { dockerAvailable, removeImages } from './support/docker.js';
import { writeExtensionFixture, type Fixture } from './support/extension-fixture.js';
import { startFaultProxy } from './support/fault-proxy.js';
import { REGISTRY, registryAvailable, registryClient, uniqueName } from './support/registry.js';
import { needService } from './support/services.js';
import { runAction } from './support/run-action.js';

const ready = needService(
  'dockerd or the registry on 127.0.0.1:5000',
  dockerAvailable() && (await registryAvailable()),
  import.meta.url,
);
if (!ready && process.env.CI)
  throw new Error('CI needs dockerd and the registry: run through scripts/with-services.sh');

const created: string[] = [];
const fixtures: Fixture[] = [];
afterAll(async () => {
  removeImages(created);
  for (const f of fixtures) await rm(f.dir, { recursive: true, force: true });
});

async function fixture(runs?: Record<string, string>) {
  const id = uniqueName('t').slice(2);
  const f = await writeExtensionFixture({ id, ...(runs ? { runs: runs } : {}) });
  fixtures.push(f);
  return f;
}

async function plan(f: Fixture, registry: string) {
  const found = await discoverDockerfiles({ context: f.dir });
  return planBuild({ context: f.dir, ...found, registry, version: '0.1.0' });
}

function track(results: ImageResult[]) {
  for (const r of results) created.push(r.ref);
}

describe.skipIf(!ready)('build + push against the real registry', () => {
  let f: Fixture;
  let results: ImageResult[];
  beforeAll(async () => {
    f = await fixture();
    const p = await plan(f, `${REGISTRY}/kx-test`);
    results = (await buildImages({ plan: p, parallel: 2, builder: 'classic' })).results;
    track(results);
    created.push(`local-only/${f.base}:latest`, `local-only/${f.base}:0.1.0`);
  });

  it('builds the local base first, pushes only the dependents', () => {
    expect(results.map((r) => [r.name, r.status])).toEqual([
      [f.base, 'built-only'],
      [f.apps[0], 'pushed'],
      [f.apps[1], 'pushed'],
    ]);
  });

  it('the pushed digests are what the registry serves, and local-only images are absent', async () => {
    const client = registryClient();
    for (const app of f.apps) {
      const r = results.find((x) => x.name === app)!;
      expect(await client.tags(`kx-test/${app}`)).toEqual(['0.1.0']);
      const head = await client.headManifest(`kx-test/${app}`, '0.1.0');
      expect(head?.digest).toBe(r.digest);
    }
    const catalog = await client.catalog();
    expect(catalog.some((repo) => repo.includes(f.base))).toBe(false);
  });

  it('skip-existing: a rerun builds nothing and reports the registry digests', async () => {
    const p = await plan(f, `${REGISTRY}/kx-test`);
    const progress: string[] = [];
    const again = (
      await buildImages({ plan: p, skipExisting: true, builder: 'classic', onProgress: (m) => progress.push(m) })
    ).results;
    expect(again.map((r) => r.status)).toEqual(['not-built', 'skipped', 'skipped']);
    expect(again[1]!.digest).toBe(results[1]!.digest);
    expect(progress.filter((m) => m.startsWith('building'))).toEqual([]);
  });
});

describe.skipIf(!ready)('failures', () => {
  it('a failed build fails its dependents and nothing is pushed', async () => {
    const f = await fixture();
    const bad = f.apps[1]!;
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      `${f.dir}/apps/${bad}/Dockerfile`,
      `FROM local-only/${f.base}:latest\nLABEL IMAGE="${bad}"\nRUN exit 3\n`,
    );
    const p = await plan(f, `${REGISTRY}/kx-test`);
    const err = (await buildImages({ plan: p, builder: 'classic' }).catch((e) => e)) as KxAggregateError & {
      results: ImageResult[];
    };
    expect(err).toBeInstanceOf(KxAggregateError);
    expect(err.message).toMatch(/nothing was pushed/);
    expect(err.errors[0]!.file).toBe(`apps/${bad}/Dockerfile`);
    const statuses = Object.fromEntries(err.results.map((r) => [r.name, r.status]));
    expect(statuses[f.apps[0]!]).toBe('built-only');
    expect(statuses[bad]).toBe('failed');
    expect(await registryClient().tags(`kx-test/${f.apps[0]}`)).toEqual([]);
    track(err.results);
  });

  it('a failed base fails its dependents without building them', async () => {
    const f = await fixture();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      `${f.dir}/base/Dockerfile`,
      `FROM scratch\nLABEL REGISTRY="local-only"\nLABEL IMAGE="${f.base}"\nCOPY missing-file /x\n`,
    );
    const p = await plan(f, `${REGISTRY}/kx-test`);
    const err = (await buildImages({ plan: p, builder: 'classic' }).catch((e) => e)) as KxAggregateError & {
      results: ImageResult[];
    };
    expect(err.results.map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
    expect(err.results[1]!.error).toMatch(new RegExp(`base image ${f.base} failed`));
  });

  it('survives a registry that answers 503 to the first uploads', async () => {
    // docker retries blob uploads by itself; a manifest PUT it does not, so that is where our retry shows.
    const proxy = await startFaultProxy({
      target: REGISTRY,
      failures: 2,
      status: 503,
      match: (req) => req.method === 'PUT' && (req.url ?? '').includes('/manifests/'),
    });
    try {
      const f = await fixture();
      const p = await plan(f, `${proxy.address}/kx-flaky`);
      const retries: string[] = [];
      const { results } = await buildImages({
        plan: p,
        builder: 'classic',
        parallel: 1,
        retry: { baseDelayMs: 50 },
        onProgress: (m) => m.includes('retrying') && retries.push(m),
      });
      track(results);
      expect(proxy.faults()).toBe(2);
      expect(retries).toHaveLength(2);
      expect(results.filter((r) => r.status === 'pushed')).toHaveLength(2);
      const client = registryClient();
      for (const r of results.filter((x) => !x.localOnly)) {
        expect((await client.headManifest(`kx-flaky/${r.name}`, '0.1.0'))?.digest).toBe(r.digest);
      }
    } finally {
      await proxy.close();
    }
  });

  it('fails fast on 401 without retrying', async () => {
    const proxy = await startFaultProxy({ target: REGISTRY, unauthorized: true });
    try {
      const f = await fixture();
      const p = await plan(f, `${proxy.address}/kx-denied`);
      const progress: string[] = [];
      const err = (await buildImages({
        plan: p,
        builder: 'classic',
        parallel: 1,
        onProgress: (m) => progress.push(m),
      }).catch((e) => e)) as KxError;
      expect(err).toBeInstanceOf(KxError);
      expect(err.message).toMatch(/authentication/);
      expect(progress.some((m) => m.includes('retrying'))).toBe(false);
      track(p.images.map((i) => ({ ref: i.ref }) as ImageResult));
    } finally {
      await proxy.close();
    }
  });
});

describe.skipIf(!ready)('the bundled action, run like the GitHub runner runs it', () => {
  it('builds, pushes, sets outputs and writes the job summary', async () => {
    const f = await fixture();
    const run = await runAction('action-build-images', {
      context: f.dir,
      registry: `${REGISTRY}/kx-action`,
      'tag-style': 'kp',
      'platform-version': '0.1.3',
      version: '0.1.0',
      builder: 'classic',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    const images = JSON.parse(run.outputs.images!) as ImageResult[];
    track(images);
    expect(images.map((i) => i.status)).toEqual(['built-only', 'pushed', 'pushed']);
    expect(images[1]!.ref).toBe(`${REGISTRY}/kx-action/${f.apps[0]}:kp_0.1.3__0.1.0`);
    const digests = JSON.parse(run.outputs.digests!) as Record<string, string>;
    expect(digests[images[1]!.ref]).toBe(images[1]!.digest);
    expect((await registryClient().headManifest(`kx-action/${f.apps[1]}`, 'kp_0.1.3__0.1.0'))?.digest).toBe(
      images[2]!.digest,
    );
    const plan = JSON.parse(run.outputs.plan!) as { images: { name: string; level: number }[] };
    expect(plan.images.map((i) => i.level)).toEqual([0, 1, 1]);
    expect(run.summary).toContain('```mermaid');
    expect(run.summary).toContain(`| ${f.apps[0]} |`);
    expect(run.stdout).toContain('::group::');
    expect(run.postExitCode).toBe(0);
  });

  it('dry-run prints the plan only', async () => {
    const f = await fixture();
    const run = await runAction('action-build-images', {
      context: f.dir,
      registry: `${REGISTRY}/kx-dry`,
      version: '0.1.0',
      'dry-run': 'true',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.plan!).images).toHaveLength(3);
    expect(await registryClient().tags(`kx-dry/${f.apps[0]}`)).toEqual([]);
    expect(run.summary).toContain('(dry run)');
  });

  it('a bad Dockerfile becomes an annotation with file and line and a failed step', async () => {
    const f = await fixture();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${f.dir}/apps/${f.apps[0]}/Dockerfile`, `LABEL IMAGE="${f.apps[0]}"\n\nFROM ubuntu\n`);
    const run = await runAction('action-build-images', {
      context: f.dir,
      registry: `${REGISTRY}/kx-bad`,
      version: '0.1.0',
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(`::error title=kaapana-ext,file=apps/${f.apps[0]}/Dockerfile,line=3::base image "ubuntu" has no tag`),
    );
  });

  it('logs in with the password on stdin and masks it; logs out in post', async () => {
    const f = await fixture();
    const secret = 'kx-secret-password-123';
    const run = await runAction('action-build-images', {
      context: f.dir,
      registry: `${REGISTRY}/kx-login`,
      version: '0.1.0',
      builder: 'classic',
      username: 'ci',
      password: secret,
    });
    // The open registry accepts any login; the point is the flow and that the secret never shows.
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).toContain(`::add-mask::${secret}`);
    expect(
      run.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ).not.toContain(secret);
    expect(run.postStdout).toContain(`logged out of ${REGISTRY}`);
    track(JSON.parse(run.outputs.images!) as ImageResult[]);
  });
});

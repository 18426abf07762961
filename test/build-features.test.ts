// What docker/build-push-action users expect, tested with the classic builder of this machine
// (engine 20.10, no buildx) against the real registry: cache reuse through --cache-from of the
// pushed tag after `docker rmi` + pull, a missing cache image as a notice, buildx-only forms
// refused before anything is built, --target, OCI labels and extra tags read back from the
// registry, logins to two registries with logout in post, and local-only images handed from one
// run to the next through a `docker save` tar (what the reusable workflow's shared-bases job does).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  applyMetadata,
  buildImages,
  discoverDockerfiles,
  parseCacheEntry,
  planBuild,
  NO_FEATURES,
  type ImageResult,
} from '@kaapana-ext/core/images';
import { KxError } from '@kaapana-ext/core';
import { BUSYBOX, busyboxContext, dockerAvailable, removeImages } from './support/docker.js';
import type { Fixture } from './support/extension-fixture.js';
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
const dirs: string[] = [];
afterAll(async () => {
  removeImages(created);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A small tree: a local-only base (`FROM scratch` + busybox, no RUN) and one image FROM it (COPY, RUN). */
async function tinyFixture(): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'kx18b-tiny-'));
  dirs.push(dir);
  const base = uniqueName('kx18b-tbase');
  const app = uniqueName('kx18b-tapp');
  await mkdir(join(dir, 'base'), { recursive: true });
  await mkdir(join(dir, 'apps', app), { recursive: true });
  await copyFile(BUSYBOX, join(dir, 'base/busybox'));
  await writeFile(
    join(dir, 'base/Dockerfile'),
    `FROM scratch\nLABEL REGISTRY="local-only"\nLABEL IMAGE="${base}"\nLABEL VERSION="0.1.0"\nCOPY busybox /bin/busybox\n`,
  );
  await writeFile(join(dir, 'apps', app, 'payload.txt'), `${app}\n`);
  await writeFile(
    join(dir, 'apps', app, 'Dockerfile'),
    `FROM local-only/${base}:0.1.0\nLABEL IMAGE="${app}"\nLABEL VERSION="0.1.0"\nCOPY payload.txt /payload.txt\nRUN ["/bin/busybox", "cp", "/payload.txt", "/copy.txt"]\n`,
  );
  created.push(`local-only/${base}:latest`, `local-only/${base}:0.1.0`);
  return { dir, base, apps: [app] };
}

async function plan(context: string, repo: string) {
  return planBuild({
    context,
    ...(await discoverDockerfiles({ context })),
    registry: `${REGISTRY}/${repo}`,
    version: '0.1.0',
  });
}

/** The log without its `::add-mask::` commands (the only lines allowed to carry a secret). */
const unmasked = (log: string) =>
  log
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
const usingCache = (output: string[]) => output.filter((l) => l.includes('Using cache')).length;
/** Steps of the classic builder's output ("Step 3/5 : ..."), i.e. M of the last "Step N/M". */
const steps = (output: string[]) =>
  Number(/Step \d+\/(\d+)/.exec(output.find((l) => /^Step \d+\/\d+/.test(l)) ?? '')?.[1] ?? 0);

describe.skipIf(!ready)('classic builder: cache-from of the previously pushed tag', () => {
  it('a rebuild after docker rmi + pull reuses every layer; without cache-from nothing is reused', async () => {
    const f = await tinyFixture();
    const planned = await plan(f.dir, 'kx18b-cache');
    // Each run labels its images with its own build time, as the action does.
    const run = (n: number) =>
      applyMetadata(planned, {
        meta: { created: new Date(Date.UTC(2026, 0, n)).toISOString(), revision: `${n}`.repeat(40) },
      });
    const p = run(1);
    const app = p.images.find((i) => !i.localOnly)!;
    created.push(app.ref);
    const first = await buildImages({ plan: p, builder: 'classic' });
    expect(first.results.map((r) => r.status)).toEqual(['built-only', 'pushed']);
    const pushedLayers = execFileSync('docker', ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', app.ref], {
      encoding: 'utf8',
    });

    // Cold: the image (and the intermediate images it kept) are gone, and the cache image named
    // does not exist yet: a notice, and nothing is reused.
    removeImages([app.ref]);
    const coldOut: string[] = [];
    const coldNotices: string[] = [];
    await buildImages({
      plan: run(2),
      builder: 'classic',
      push: false,
      features: { ...NO_FEATURES, cacheFrom: [parseCacheEntry('{{registry}}/{{image}}:never-pushed', 'cache-from')] },
      onImageDone: (r, o) => r.name === app.name && coldOut.push(...o),
      onNotice: (m) => coldNotices.push(m),
    });
    expect(usingCache(coldOut)).toBe(0);
    expect(coldNotices.some((n) => /never-pushed does not exist yet/.test(n))).toBe(true);

    // Cached: again from nothing locally, but with the pushed tag as cache source (pulled first).
    removeImages([app.ref]);
    const out: string[] = [];
    const notices: string[] = [];
    const again = await buildImages({
      plan: run(3),
      builder: 'classic',
      push: false,
      features: { ...NO_FEATURES, cacheFrom: [parseCacheEntry('{{ref}}', 'cache-from')] },
      onImageDone: (r, o) => r.name === app.name && out.push(...o),
      onNotice: (m) => notices.push(m),
    });
    expect(again.results.map((r) => r.status)).toEqual(['built-only', 'built-only']);
    expect(out).toContain(`cache-from: pulled ${app.ref}`);
    // Every Dockerfile step after FROM (LABEL IMAGE, LABEL VERSION, COPY, RUN) comes from the cache;
    // only the --label steps of this run's metadata (created, revision, ...) are new.
    const labelSteps = Object.keys(app.labels ?? {}).length;
    expect(labelSteps).toBeGreaterThan(0);
    expect(steps(out)).toBe(1 + 4 + labelSteps);
    expect(usingCache(out)).toBeGreaterThanOrEqual(4);
    expect(
      execFileSync('docker', ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', app.ref], {
        encoding: 'utf8',
      }),
    ).toBe(pushedLayers);
    // The local-only base has no registry cache: said, not an error.
    expect(notices.some((n) => n.includes(`not used for local-only/${f.base}`))).toBe(true);
  });

  it('buildx-only forms are refused before anything is built', async () => {
    const f = await tinyFixture();
    const p = await plan(f.dir, 'kx18b-refused');
    const progress: string[] = [];
    const err = await buildImages({
      plan: p,
      builder: 'classic',
      features: {
        ...NO_FEATURES,
        cacheFrom: [parseCacheEntry('type=gha', 'cache-from')],
        cacheTo: [parseCacheEntry('type=registry,ref=x/y:c', 'cache-to')],
      },
      onProgress: (m) => progress.push(m),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KxError);
    expect((err as Error).message).toMatch(/classic builder[\s\S]*type=gha[\s\S]*cache-to/);
    expect(progress).toEqual([]);
  });

  it('target builds the named stage with docker build --target', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kx18b-target-'));
    dirs.push(dir);
    const name = uniqueName('kx18b-stage');
    await busyboxContext(
      join(dir, 'img'),
      `FROM scratch AS tools\nCOPY busybox /bin/busybox\nLABEL stage=tools\n\nFROM tools AS runtime\nLABEL IMAGE="${name}"\nLABEL VERSION="0.1.0"\nLABEL stage=runtime\n`,
    );
    const p = await plan(dir, 'kx18b-target');
    created.push(p.images[0]!.ref);
    await buildImages({ plan: p, builder: 'classic', push: false, features: { ...NO_FEATURES, target: 'tools' } });
    expect(
      execFileSync('docker', ['image', 'inspect', '--format', '{{index .Config.Labels "stage"}}', p.images[0]!.ref], {
        encoding: 'utf8',
      }).trim(),
    ).toBe('tools');
  });
});

describe.skipIf(!ready)('the bundled action: labels, extra tags, registry-auth, shared local-only images', () => {
  it('one run: OCI labels and extra tags (plan, summary, pushed config), registry-auth to two registries, save-local-images; a second run loads the bases', async () => {
    const f = await tinyFixture();
    const app = f.apps[0]!;
    const repo = uniqueName('kx18b-labels');
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const proxy = await startFaultProxy({ target: REGISTRY });
    const dockerConfig = await mkdtemp(join(tmpdir(), 'kx18b-dockercfg-'));
    const tar = join(dockerConfig, 'bases.tar');
    dirs.push(dockerConfig);
    const secrets = ['kx18b-first-secret', 'kx18b-second-secret'];
    let run;
    try {
      run = await runAction(
        'action-build-images',
        {
          context: f.dir,
          registry: `${REGISTRY}/${repo}`,
          version: '0.1.0',
          builder: 'classic',
          'extra-tags': 'latest\nsha-{{sha}}',
          labels: 'team=kx18b',
          'registry-auth': `- registry: ${REGISTRY}\n  username: ci\n  password: ${secrets[0]}\n- registry: ${proxy.address}\n  username: bases\n  password: ${secrets[1]}\n`,
          'save-local-images': tar,
        },
        {
          env: {
            DOCKER_CONFIG: dockerConfig,
            GITHUB_SHA: sha,
            GITHUB_SERVER_URL: 'https://github.com',
            GITHUB_REPOSITORY: 'org/kx18b-ext',
          },
        },
      );
    } finally {
      await proxy.close();
    }
    expect(run.exitCode, run.stdout).toBe(0);
    const images = JSON.parse(run.outputs.images!) as ImageResult[];
    for (const i of images) created.push(...i.tags);

    // Logins: each password masked and never printed, logout of both in post, nothing left behind.
    for (const s of secrets) {
      expect(run.stdout).toContain(`::add-mask::${s}`);
      expect(unmasked(run.stdout)).not.toContain(s);
    }
    expect(run.stdout).toContain(`Login to ${REGISTRY}`);
    expect(run.stdout).toContain(`Login to ${proxy.address}`);
    expect(run.postStdout).toContain(`logged out of ${REGISTRY}`);
    expect(run.postStdout).toContain(`logged out of ${proxy.address}`);
    const cfg = JSON.parse(await readFile(join(dockerConfig, 'config.json'), 'utf8')) as {
      auths?: Record<string, unknown>;
    };
    expect(Object.keys(cfg.auths ?? {})).toEqual([]);

    // Plan and summary show tags and labels.
    const planned = JSON.parse(run.outputs.plan!) as {
      images: { name: string; tags: string[]; labels: Record<string, string> }[];
    };
    const pl = planned.images.find((i) => i.name === app)!;
    expect(pl.tags).toEqual([
      `${REGISTRY}/${repo}/${app}:0.1.0`,
      `${REGISTRY}/${repo}/${app}:latest`,
      `${REGISTRY}/${repo}/${app}:sha-${sha.slice(0, 7)}`,
    ]);
    expect(run.summary).toContain('org.opencontainers.image.revision');
    expect(run.summary).toContain(`sha-${sha.slice(0, 7)}`);

    // The registry has the three tags on one manifest, and the labels in the image config.
    const client = registryClient();
    expect((await client.tags(`${repo}/${app}`)).sort()).toEqual(['0.1.0', 'latest', `sha-${sha.slice(0, 7)}`].sort());
    const digests = await Promise.all(
      ['0.1.0', 'latest', `sha-${sha.slice(0, 7)}`].map(
        async (t) => (await client.headManifest(`${repo}/${app}`, t))!.digest,
      ),
    );
    expect(new Set(digests).size).toBe(1);
    const manifest = JSON.parse((await client.getManifest(`${repo}/${app}`, '0.1.0')).body.toString()) as {
      config: { digest: string };
    };
    const config = JSON.parse((await client.getBlob(`${repo}/${app}`, manifest.config.digest)).toString()) as {
      config: { Labels: Record<string, string> };
    };
    expect(config.config.Labels).toMatchObject({
      IMAGE: app,
      team: 'kx18b',
      'org.opencontainers.image.source': 'https://github.com/org/kx18b-ext',
      'org.opencontainers.image.revision': sha,
      'org.opencontainers.image.version': '0.1.0',
      'org.opencontainers.image.title': app,
    });
    expect(Date.parse(config.config.Labels['org.opencontainers.image.created']!)).toBeGreaterThan(0);

    // save-local-images wrote the local-only base; a second run loads it instead of building it
    // (its Dockerfile is broken now, so a rebuild would fail).
    expect(existsSync(tar)).toBe(true);
    removeImages([`local-only/${f.base}:latest`, `local-only/${f.base}:0.1.0`]);
    await writeFile(
      join(f.dir, 'base/Dockerfile'),
      `FROM scratch\nLABEL REGISTRY="local-only"\nLABEL IMAGE="${f.base}"\nLABEL VERSION="0.1.0"\nCOPY missing-file /x\n`,
    );
    const second = await runAction('action-build-images', {
      context: f.dir,
      registry: `${REGISTRY}/${repo}`,
      version: '0.1.0',
      builder: 'classic',
      push: 'false',
      'local-images': tar,
    });
    expect(second.exitCode, second.stdout).toBe(0);
    expect(second.stdout).toContain(`loaded local-only/${f.base}:0.1.0`);
    expect((JSON.parse(second.outputs.images!) as ImageResult[]).map((i) => [i.name, i.status])).toEqual([
      [f.base, 'loaded'],
      [app, 'built-only'],
    ]);
  });

  it('oci-labels false leaves the OCI labels out (seen in the dry-run plan)', async () => {
    const f = await tinyFixture();
    const run = await runAction('action-build-images', {
      context: f.dir,
      registry: `${REGISTRY}/kx18b-nolabels`,
      version: '0.1.0',
      'dry-run': 'true',
      'oci-labels': 'false',
      labels: 'team=kx18b',
    });
    expect(run.exitCode, run.stdout).toBe(0);
    const planned = JSON.parse(run.outputs.plan!) as { images: { labels: Record<string, string> }[] };
    expect(planned.images.map((i) => i.labels)).toEqual([{}, { team: 'kx18b' }]);
  });

  it('the action refuses a buildx-only input under the classic builder with one annotation', async () => {
    const f = await tinyFixture();
    const run = await runAction('action-build-images', {
      context: f.dir,
      registry: `${REGISTRY}/kx18b-x`,
      version: '0.1.0',
      builder: 'classic',
      secrets: 'token=kx18b-build-secret',
      'cache-to': 'type=gha',
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/::error title=kaapana-ext::the classic builder/);
    expect(run.stdout).toContain('::add-mask::kx18b-build-secret');
    expect(unmasked(run.stdout)).not.toContain('kx18b-build-secret');
  });
});

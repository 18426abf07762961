// base-collection mode against the real Docker engine, the registry on 127.0.0.1:5000 and the Kaapana
// platform simulator: a platform's collection image (built here FROM scratch + busybox, with another
// extension and an older build of ours in the generation's copy directory) gets our chart added in
// place; the other extension is kept, ours replaced, and the simulated platform's copy Job lists both.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KxError, withTempDir } from '@kaapana-ext/core';
import { buildOnBaseCollection, listImageCharts } from '@kaapana-ext/core/collection';
import { busyboxContext, removeImages } from './support/docker.js';
import { REGISTRY, uniqueName } from './support/registry.js';
import { makeChart, workflowChart } from './kaapana-platform/fixtures.mjs';
import { startKaapanaPlatform } from './kaapana-platform/index.mjs';
import { until } from './support/until.js';

const images: string[] = [];
afterAll(() => removeImages(images));
const TIMING = { refreshDelayMs: 1500, listTimerMs: 200, copyMs: 150, pullBackoffMs: 200, hookTimeoutMs: 3000 };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A platform's collection image: busybox plus `charts` in the generation's copy directory, pushed. */
async function baseImage(root: string, ref: string, dir: string, charts: Record<string, Buffer>): Promise<void> {
  const files: Record<string, string> = {};
  const ctx = await busyboxContext(
    join(root, 'base'),
    `FROM scratch\nCOPY busybox /bin/busybox\nCOPY charts/ /${dir}\nLABEL IMAGE="kaapana-extension-collection"\n`,
    files,
  );
  await mkdir(join(ctx, 'charts'), { recursive: true });
  for (const [name, data] of Object.entries(charts)) await writeFile(join(ctx, 'charts', name), data);
  execFileSync('docker', ['build', '-q', '-t', ref, ctx], {
    stdio: 'pipe',
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
  });
  execFileSync('docker', ['push', ref], { stdio: 'pipe' });
  images.push(ref);
}

describe("base-collection: add our chart to a platform's collection image", () => {
  it.each([
    ['0.6.0', 'kaapana/tmp/extensions/', '0.6.0'],
    ['0.1.x', 'tmp/', 'kp_0.1.3__0.1.0'],
  ] as const)(
    '%s: other extension kept, ours replaced, the simulator lists both after its copy Job',
    async (generation, dir, tag) => {
      await withTempDir('kx-14-base-coll', async (root) => {
        const base = `${REGISTRY}/${uniqueName('14-base')}/kaapana-extension-collection:${tag}`;
        const other = await makeChart({ name: 'other-app-chart', version: '1.0.0', keywords: ['kaapanaapplication'] });
        const oldOurs = await workflowChart('my-workflow', '0.1.0');
        await baseImage(root, base, dir, { 'other-app-chart-1.0.0.tgz': other, 'my-workflow-0.1.0.tgz': oldOurs });
        const ours = await makeChart({
          name: 'my-workflow',
          version: '0.1.0',
          keywords: ['kaapanaworkflow'],
          description: 'rebuilt',
          dependencies: ['dag-installer-chart'],
          subcharts: [{ name: 'dag-installer-chart' }],
        });
        const archive = join(root, 'my-workflow-0.1.0.tgz');
        await writeFile(archive, ours);
        const registry = `${REGISTRY}/${uniqueName('14-target')}`;
        const r = await buildOnBaseCollection({ base, registry, archives: [archive] });
        images.push(r.ref);
        expect(r.ref).toBe(`${registry}/kaapana-extension-collection:${tag}`);
        expect(r).toMatchObject({
          platformDir: dir,
          replaced: ['my-workflow-0.1.0.tgz'],
          baseCharts: ['my-workflow-0.1.0.tgz', 'other-app-chart-1.0.0.tgz'],
        });
        const back = await listImageCharts(r.ref);
        expect(back.sha256[`${dir}other-app-chart-1.0.0.tgz`]).toBe(sha(other));
        expect(back.sha256[`${dir}my-workflow-0.1.0.tgz`]).toBe(sha(ours));

        const platform = await startKaapanaPlatform({ generation, collections: [r.ref], timing: TIMING });
        try {
          const listed = await until('/extensions to list both charts', async () => {
            const res = await fetch(`${platform.url}/kube-helm-api/extensions`, {
              headers: { Authorization: `Bearer ${platform.token}` },
            });
            const l = (await res.json()) as Array<{ name: string; version: string }>;
            return l.length === 2 ? l : undefined;
          });
          expect(listed.map((e) => `${e.name}-${e.version}`).sort()).toEqual([
            'my-workflow-0.1.0',
            'other-app-chart-1.0.0',
          ]);
        } finally {
          await platform.close();
        }
      });
    },
  );

  it('refuses an image that is no collection, an archive without its dependency, and a base without tag', async () => {
    await withTempDir('kx-14-base-coll', async (root) => {
      const notCollection = `${REGISTRY}/${uniqueName('14-base')}/busybox:1`;
      execFileSync(
        'docker',
        [
          'build',
          '-q',
          '-t',
          notCollection,
          await busyboxContext(join(root, 'bb'), 'FROM scratch\nCOPY busybox /bin/busybox\n'),
        ],
        { stdio: 'pipe', env: { ...process.env, DOCKER_BUILDKIT: '0' } },
      );
      execFileSync('docker', ['push', notCollection], { stdio: 'pipe' });
      images.push(notCollection);
      const good = join(root, 'my-workflow-0.1.0.tgz');
      await writeFile(good, await workflowChart('my-workflow'));
      await expect(buildOnBaseCollection({ base: notCollection, archives: [good], push: false })).rejects.toThrow(
        /carries no chart archive in \/kaapana\/tmp\/extensions\/ .* nor in \/tmp\//,
      );
      const bare = join(root, 'bare-wf-0.1.0.tgz');
      await writeFile(bare, await workflowChart('bare-wf', '0.1.0', false));
      const e = await buildOnBaseCollection({ base: notCollection, archives: [bare] }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(KxError);
      expect(e).toMatchObject({ file: bare });
      expect((e as Error).message).toMatch(/missing in charts\/ directory: dag-installer-chart/);
      await expect(
        buildOnBaseCollection({
          base: `${REGISTRY}/x/kaapana-extension-collection@sha256:${'0'.repeat(64)}`,
          archives: [good],
        }),
      ).rejects.toThrow(/needs a tag/);
    });
  });
});

// The bundled action-update-collection run like the GitHub runner runs it (inputs as INPUT_*,
// command files), against the real Docker engine and registry: outputs, job summary, the optional
// commit, idempotence, and the annotation + failure for malformed YAML.
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withTempDir } from '@kaapana-ext/core';
import { busyboxContext, dockerAvailable, removeImages } from './support/docker.js';
import { REGISTRY, registryAvailable, uniqueName } from './support/registry.js';
import { needService } from './support/services.js';
import { runAction } from './support/run-action.js';

const ready = needService(
  'dockerd or the registry on 127.0.0.1:5000',
  dockerAvailable() && (await registryAvailable()),
  import.meta.url,
);
const EXT = 'example-threshold-segmentation-workflow';
const images: string[] = [];

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** A git repository laid out like Kaapana 0.1.x with the extension chart and a busybox base. */
async function repo(root: string): Promise<void> {
  await busyboxContext(
    join(root, 'services/base-charts-manager'),
    'FROM scratch\nLABEL REGISTRY="local-only"\nLABEL IMAGE="base-charts-manager"\nLABEL VERSION="0.1.0"\nCOPY busybox /bin/busybox\n',
  );
  await writeFile(join(root, '.gitignore'), 'busybox\n');
  const coll = join(root, 'collections/kaapana-collection');
  await mkdir(coll, { recursive: true });
  await writeFile(
    join(coll, 'Chart.yaml'),
    '---\napiVersion: v1\nversion: 0.1.0\nname: kaapana-extension-collection\n',
  );
  await writeFile(
    join(coll, 'Dockerfile'),
    'FROM local-only/base-charts-manager:0.1.0\nLABEL IMAGE="kaapana-extension-collection"\nLABEL VERSION="0.1.0"\nCOPY charts/*.tgz /tmp/\n',
  );
  await writeFile(join(coll, 'requirements.yaml'), '---\n# extensions\ndependencies: []\n');
  const ext = join(root, 'extension', EXT);
  await mkdir(ext, { recursive: true });
  await writeFile(join(ext, 'Chart.yaml'), `---\napiVersion: v1\nname: ${EXT}\nversion: "0.1.0"\n`);
  await writeFile(join(ext, 'values.yaml'), 'global:\n  action: copy\n');
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '.');
  git(root, '-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', 'init');
}

describe.skipIf(!ready)('action-update-collection (bundled)', () => {
  afterAll(() => removeImages(images));

  it('edits, commits, builds, pushes and verifies; a second run changes nothing', async () => {
    await withTempDir('kx-coll-action', async (root) => {
      await repo(root);
      const registry = `${REGISTRY}/${uniqueName('kx-coll-action')}`;
      const inputs = {
        'collection-dir': 'collections/kaapana-collection',
        chart: `extension/${EXT}`,
        commit: 'true',
        registry,
        'tag-style': 'kp',
        'platform-version': '0.1.3',
      };
      const run = await runAction('action-update-collection', inputs, { cwd: root });
      expect(run.exitCode, run.stdout).toBe(0);
      images.push(
        `${registry}/kaapana-extension-collection:kp_0.1.3__0.1.0`,
        'local-only/base-charts-manager:0.1.0',
        'local-only/base-charts-manager:latest',
      );
      expect(run.outputs).toMatchObject({
        changed: 'true',
        file: 'collections/kaapana-collection/requirements.yaml',
        image: `${registry}/kaapana-extension-collection`,
        tag: 'kp_0.1.3__0.1.0',
      });
      expect(run.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(JSON.parse(run.outputs.charts!)).toEqual([`tmp/${EXT}-0.1.0.tgz`]);
      expect(run.outputs.diff).toContain(`+  - name: ${EXT}`);
      expect(await readFile(join(root, 'collections/kaapana-collection/requirements.yaml'), 'utf8')).toBe(
        `---\n# extensions\ndependencies:\n  - name: ${EXT}\n    version: 0.1.0\n`,
      );
      // the commit holds only the requirements change, and the tree is clean afterwards
      expect(run.outputs.commit).toBe(git(root, 'rev-parse', 'HEAD'));
      expect(git(root, 'show', '--name-only', '--format=%s', 'HEAD')).toBe(
        `collection: add ${EXT} 0.1.0\n\ncollections/kaapana-collection/requirements.yaml`,
      );
      expect(git(root, 'status', '--porcelain')).toBe('');
      expect(run.summary).toContain('## Kaapana extension collection');
      expect(run.summary).toContain('```diff');
      expect(run.summary).toContain(`tmp/${EXT}-0.1.0.tgz`);

      const again = await runAction('action-update-collection', { ...inputs, build: 'false' }, { cwd: root });
      expect(again.exitCode, again.stdout).toBe(0);
      expect(again.outputs).toMatchObject({ changed: 'false', diff: '', commit: '' });
      expect(git(root, 'rev-list', '--count', 'HEAD')).toBe('2');

      // rerun with skip-existing: the registry's image already carries identical charts
      const skip = await runAction('action-update-collection', { ...inputs, 'skip-existing': 'true' }, { cwd: root });
      expect(skip.exitCode, skip.stdout).toBe(0);
      expect(skip.outputs).toMatchObject({
        changed: 'false',
        skipped: 'true',
        digest: run.outputs.digest,
        charts: run.outputs.charts,
      });
    });
  });

  it('dry run: diff and planned image/tag as outputs, nothing written, committed or built', async () => {
    await withTempDir('kx-coll-action', async (root) => {
      await repo(root);
      const file = join(root, 'collections/kaapana-collection/requirements.yaml');
      const before = await readFile(file, 'utf8');
      const run = await runAction(
        'action-update-collection',
        {
          chart: `extension/${EXT}`,
          registry: `${REGISTRY}/kx-dry`,
          'tag-style': 'kp',
          'platform-version': '0.1.3',
          'dry-run': 'true',
          commit: 'true',
        },
        { cwd: root },
      );
      expect(run.exitCode, run.stdout).toBe(0);
      expect(run.outputs).toMatchObject({
        changed: 'true',
        commit: '',
        image: `${REGISTRY}/kx-dry/kaapana-extension-collection`,
        tag: 'kp_0.1.3__0.1.0',
        digest: '',
      });
      expect(run.outputs.diff).toContain(`+  - name: ${EXT}`);
      expect(await readFile(file, 'utf8')).toBe(before);
      expect(git(root, 'status', '--porcelain')).toBe('');
      expect(run.summary).toContain('dry run');
    });
  });

  it('malformed YAML: annotation with file and line, failed step, file untouched, nothing built', async () => {
    await withTempDir('kx-coll-action', async (root) => {
      await repo(root);
      const file = join(root, 'collections/kaapana-collection/requirements.yaml');
      const bad = '---\ndependencies:\n  - name: a\n    version: 1.0.0\n  - name: a\n    version: 1.0.1\n';
      await writeFile(file, bad);
      const run = await runAction(
        'action-update-collection',
        { chart: `extension/${EXT}`, registry: `${REGISTRY}/kx-never` },
        { cwd: root },
      );
      expect(run.exitCode).not.toBe(0);
      expect(run.stdout).toMatch(
        /::error title=kaapana-ext,file=.*requirements\.yaml,line=5::duplicate dependency "a" \(first listed on line 3\)/,
      );
      expect(await readFile(file, 'utf8')).toBe(bad);
      expect(run.outputs.image ?? '').toBe('');
    });
  });
});

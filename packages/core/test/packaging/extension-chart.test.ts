// package-chart's Kaapana side around the chart engine, on charts written here: the workflow chart
// refused without dag-installer-chart (naming its dependency file), the IMAGE labels beside the chart,
// the archive and OCI reference a dry run reports (version override checked), and a failed push
// naming the archive.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDir } from '../../src/chart/index.js';
import { extensionImages, plannedArchive, pushArchive, requireDagInstaller } from '../../src/packaging/index.js';
import { writeTree } from '../support/write-tree.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kx-packaging-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const WORKFLOW = 'apiVersion: v2\nname: otsu-workflow\nversion: 0.1.0\nkeywords:\n  - kaapanaworkflow\n';

describe('requireDagInstaller', () => {
  it('refuses a workflow chart without dag-installer-chart, naming its dependency file', async () => {
    await writeTree(join(dir, 'wf'), {
      'Chart.yaml': WORKFLOW,
      'requirements.yaml': 'dependencies:\n  - name: other\n    version: 1.0.0\n',
    });
    const chart = await loadDir(join(dir, 'wf'));
    expect(() => requireDagInstaller(chart, join(dir, 'wf'))).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/workflow chart otsu-workflow \(keyword kaapanaworkflow\) has no dag-installer/),
        file: join(dir, 'wf', 'requirements.yaml'),
      }),
    );
  });

  it('accepts a workflow chart with it, and any other chart', async () => {
    await writeTree(join(dir, 'wf'), {
      'Chart.yaml': `${WORKFLOW}dependencies:\n  - name: dag-installer-chart\n    version: 0.0.0\n`,
    });
    await writeTree(join(dir, 'svc'), { 'Chart.yaml': 'apiVersion: v2\nname: svc\nversion: 1.0.0\n' });
    const wf = await loadDir(join(dir, 'wf'));
    const svc = await loadDir(join(dir, 'svc'));
    expect(() => requireDagInstaller(wf, join(dir, 'wf'))).not.toThrow();
    expect(() => requireDagInstaller(svc, join(dir, 'svc'))).not.toThrow();
  });
});

describe('extensionImages', () => {
  it('reads the IMAGE labels of the Dockerfiles beside the chart', async () => {
    await writeTree(join(dir, 'ext'), {
      'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 1.0.0\n',
      'processing-containers/otsu/Dockerfile': 'FROM scratch\nLABEL IMAGE="otsu"\nLABEL VERSION="0.1.0"\n',
      'processing-containers/plain/Dockerfile': 'FROM scratch\n',
    });
    expect(await extensionImages(join(dir, 'ext', 'chart'))).toEqual(['otsu']);
    expect(await extensionImages(join(dir, 'nowhere', 'chart'))).toEqual([]);
  });
});

describe('plannedArchive', () => {
  it('names the archive and the OCI reference, with the version override', async () => {
    await writeTree(join(dir, 'c'), { 'Chart.yaml': 'apiVersion: v2\nname: otsu\nversion: 0.1.0\n' });
    const chart = await loadDir(join(dir, 'c'));
    expect(plannedArchive(chart, join(dir, 'c'), { destination: '/out' })).toEqual({
      name: 'otsu',
      version: '0.1.0',
      path: '/out/otsu-0.1.0.tgz',
      sha256: '',
      dryRun: true,
    });
    const p = plannedArchive(chart, join(dir, 'c'), {
      version: '1.0.0+build.1',
      destination: '/out',
      push: 'oci://127.0.0.1:5000/charts',
    });
    expect([p.path, p.ref]).toEqual(['/out/otsu-1.0.0+build.1.tgz', '127.0.0.1:5000/charts/otsu:1.0.0_build.1']);
    expect(() => plannedArchive(chart, join(dir, 'c'), { version: 'one', destination: '/out' })).toThrow(/validation/);
  });
});

describe('pushArchive', () => {
  it('names the archive, relative to the display root, when the push fails', async () => {
    const archive = join(dir, 'out', 'otsu-0.1.0.tgz');
    await expect(
      pushArchive(archive, 'oci://127.0.0.1:1/charts', { skipExisting: false, displayRoot: dir }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/^pushing out\/otsu-0\.1\.0\.tgz failed: /),
      file: archive,
    });
  });
});

// Discovery never enters a kaapana-ext checkout nor an extension-collection chart folder, wherever
// they sit below the context (issue 18: the starter's `context: .` walked into `.kaapana-ext` and
// picked up the collection chart's Dockerfile as an ordinary image); it says which it skipped.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { discoverDockerfiles } from '../../src/images/discover.js';
import { writeTree } from '../support/write-tree.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kx18-discover-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tree = (files: Record<string, string>) => writeTree(dir, files);

const IMG = (name: string) => `FROM alpine:3.19\nLABEL IMAGE="${name}"\n`;

it('skips nested kaapana-ext checkouts and collection charts (0.1.x and 0.6.0 forms), not the context itself', async () => {
  await tree({
    'action-build-images/action.yml': 'name: x\n', // the context itself may be a kaapana-ext checkout
    'processing-containers/algo/Dockerfile': IMG('algo'),
    '.kaapana-ext/action-build-images/action.yml': 'name: x\n',
    '.kaapana-ext/examples/threshold-segmentation/extension/docker/Dockerfile': IMG('algo'),
    'vendor/toolkit/action-build-images/action.yml': 'name: x\n',
    'vendor/toolkit/Dockerfile': IMG('toolkit'),
    'collections/kaapana-collection/Chart.yaml': 'apiVersion: v1\nname: kaapana-extension-collection\nversion: 0.1.0\n',
    'collections/kaapana-collection/Dockerfile': IMG('kaapana-extension-collection'),
    'other/my-collection/Chart.yaml':
      'apiVersion: v1\nname: my-collection\nversion: "0.0.0"\nkaapana_type: extenstion-collection\n',
    'other/my-collection/Dockerfile': IMG('my-collection'),
    'extension/workflow-chart/Chart.yaml': 'apiVersion: v1\nname: otsu-workflow\nversion: 0.1.0\n',
    'extension/docker/Dockerfile': IMG('dag'),
  });
  const found = await discoverDockerfiles({ context: dir });
  expect(found.all.map((f) => relative(dir, f))).toEqual([
    'extension/docker/Dockerfile',
    'processing-containers/algo/Dockerfile',
  ]);
  expect(found.skippedDirs).toEqual([
    { dir: '.kaapana-ext', reason: 'kaapana-ext checkout' },
    { dir: 'collections/kaapana-collection', reason: 'extension collection chart' },
    { dir: 'other/my-collection', reason: 'extension collection chart' },
    { dir: 'vendor/toolkit', reason: 'kaapana-ext checkout' },
  ]);
});

it('still builds a skipped Dockerfile that is named explicitly', async () => {
  await tree({
    'collections/kaapana-collection/Chart.yaml': 'name: kaapana-extension-collection\nversion: 0.1.0\n',
    'collections/kaapana-collection/Dockerfile': IMG('kaapana-extension-collection'),
  });
  const found = await discoverDockerfiles({ context: dir, dockerfiles: ['collections/kaapana-collection/Dockerfile'] });
  expect(found.selected.map((f) => relative(dir, f))).toEqual(['collections/kaapana-collection/Dockerfile']);
});

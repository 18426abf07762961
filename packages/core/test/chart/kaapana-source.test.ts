// Chart dependencies from a Kaapana checkout (kaapana-source): a file:// path into the Kaapana tree
// that does not exist here and a name-only dependency are packaged from the tree's charts by name,
// version 0.0.0 meaning the packaged chart's version; charts under Kaapana's ignore patterns are not
// candidates. The Kaapana tree is a minimal one written here, laid out like kaapana/kaapana@0.6.0.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { updateDependencies } from '../../src/chart/dependency-update.js';
import { loadArchive } from '../../src/chart/load.js';
import { writeTree } from '../support/write-tree.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kx16-chartsrc-'));
});
afterEach(async () => rm(root, { recursive: true, force: true }));

const tree = (files: Record<string, string>) => writeTree(root, files);

it('resolves dag-installer-chart (file:// into the Kaapana tree) and kaapana-library-chart (by name) from kaapana-source', async () => {
  await tree({
    'kaapana/services/utils/dag-installer-chart/Chart.yaml':
      'apiVersion: v1\nname: dag-installer-chart\nversion: "0.0.0"\n',
    'kaapana/services/utils/dag-installer-chart/templates/job.yaml': 'kind: Job\n',
    'kaapana/templates_and_examples/charts/kaapana-library-chart/Chart.yaml':
      'apiVersion: v2\nname: kaapana-library-chart\nversion: "9.9.9"\ntype: library\n',
    'kaapana/services/utils/kaapana-library-chart/Chart.yaml':
      'apiVersion: v2\nname: kaapana-library-chart\nversion: "0.0.0"\ntype: library\n',
    'ext/extension/wf/Chart.yaml': 'apiVersion: v2\nname: wf\nversion: "0.0.0"\nkeywords: [kaapanaworkflow]\n',
    'ext/extension/wf/requirements.yaml':
      'dependencies:\n  - name: dag-installer-chart\n    version: 0.0.0\n    repository: file://../../../../../../services/utils/dag-installer-chart/\n  - name: kaapana-library-chart\n    version: 0.0.0\n',
  });
  const logs: string[] = [];
  const r = await updateDependencies(join(root, 'ext/extension/wf'), {
    kaapanaSource: join(root, 'kaapana'),
    platformVersion: '0.6.0',
    log: (m) => logs.push(m),
  });
  expect(r.dependencies.map((d) => [d.name, d.version, d.source])).toEqual([
    ['dag-installer-chart', '0.6.0', 'kaapana-source'],
    ['kaapana-library-chart', '0.6.0', 'kaapana-source'],
  ]);
  expect(logs[0]).toMatch(
    /^dag-installer-chart: packaging kaapana-source\/services\/utils\/dag-installer-chart as dag-installer-chart-0\.6\.0\.tgz \(file:\/\/.* does not exist here\)$/,
  );
  const packed = await loadArchive(r.dependencies[0]!.archive!);
  expect(packed.templates.map((t) => t.name)).toEqual(['templates/job.yaml']);
});

it('names the kaapana-source when a dependency is in neither place', async () => {
  await tree({
    'kaapana/services/x/Chart.yaml': 'apiVersion: v2\nname: x\nversion: "0.0.0"\n',
    'ext/wf/Chart.yaml':
      'apiVersion: v2\nname: wf\nversion: "0.1.0"\ndependencies:\n  - name: dag-installer-chart\n    version: 0.0.0\n    repository: file://../nowhere\n',
  });
  await expect(updateDependencies(join(root, 'ext/wf'), { kaapanaSource: join(root, 'kaapana') })).rejects.toThrow(
    /dependency "dag-installer-chart" not found in kaapana-source .*kaapana \(file:\/\/\.\.\/nowhere does not exist here\)/,
  );
});

// Kaapana lint checks on workflow charts (warnings): dag-installer-chart first, global.image set and
// one of the extension's images.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintKaapanaChart, loadDir, loadFiles } from '@kaapana-ext/core/chart';

const seed = join(import.meta.dirname, 'testdata/kaapana/threshold-segmentation-workflow');

describe('lintKaapanaChart', () => {
  it('accepts the seed workflow chart and its DAG image', async () => {
    const c = await loadDir(seed);
    expect(lintKaapanaChart(c, { images: ['dag-example-otsus-method', 'otsus-method'] })).toEqual([]);
  });

  it('warns when global.image is not an image of the extension', async () => {
    const c = await loadDir(seed);
    const f = lintKaapanaChart(c, { images: ['otsus-method'] });
    expect(f.map((x) => x.message)).toEqual([
      'workflow chart example-threshold-segmentation-workflow: global.image "dag-example-otsus-method" is not an image of this extension (otsus-method)',
    ]);
  });

  it('warns when dag-installer-chart is not the first dependency and global.image is missing', async () => {
    const c = await loadFiles(
      [
        {
          name: 'Chart.yaml',
          data: Buffer.from(
            'apiVersion: v2\nname: wf\nversion: 0.1.0\nkeywords: [kaapanaworkflow]\ndependencies:\n- name: other\n  repository: ""\n',
          ),
        },
        { name: 'values.yaml', data: Buffer.from('global:\n  version: 0.1.0\n') },
      ],
      'wf',
    );
    expect(lintKaapanaChart(c).map((x) => x.message)).toEqual([
      'workflow chart wf: the first dependency should be dag-installer-chart (found other)',
      'workflow chart wf: values.yaml has no global.image (the DAG image)',
    ]);
  });

  it('ignores charts that are not workflows', async () => {
    const c = await loadDir(join(import.meta.dirname, 'testdata/kaapana/dag-installer-chart'));
    expect(lintKaapanaChart(c)).toEqual([]);
  });
});

// The job summary of action-update-collection: the full-collection table (edit, commit, planned or
// built image, dropped extensions, diff), the base-collection table, and writing both through
// actions-kit's writeJobSummary (nothing thrown outside a runner, where it used to fail).
import { describe, expect, it } from 'vitest';
import type {
  BaseCollectionUpdateResult,
  CollectionImageResult,
  UpdateDependencyResult,
} from '@kaapana-ext/core/collection';
import { useActionEnv } from '../../test/support/action-unit.js';
import {
  baseSummaryMarkdown,
  summaryMarkdown,
  writeBaseSummary,
  writeSummary,
  type CollectionRun,
} from '../src/summary.js';

const env = useActionEnv();
const edit: UpdateDependencyResult = {
  file: '/w/collections/kaapana-collection/requirements.yaml',
  displayPath: 'collections/kaapana-collection/requirements.yaml',
  apiVersion: 'v1',
  collectionName: 'kaapana-extension-collection',
  collectionVersion: '0.1.0',
  entry: { name: 'otsu', version: '0.2.0', repository: 'file://../otsu' },
  action: 'updated',
  previousVersion: '0.1.0',
  changed: true,
  diff: '--- a\n+++ b\n-  version: 0.1.0\n+  version: 0.2.0\n',
  restore: async () => {},
};
const image: CollectionImageResult = {
  image: 'r/kaapana-extension-collection',
  tag: 'kp_0.1.3__0.1.0',
  ref: 'r/kaapana-extension-collection:kp_0.1.3__0.1.0',
  digest: 'sha256:abc',
  charts: [{ name: 'otsu', version: '0.2.0', file: '/stage/charts/otsu-0.2.0.tgz', source: 'archive' }],
  imageCharts: ['tmp/otsu-0.2.0.tgz'],
  skipped: false,
  dropped: [],
  platformDir: 'tmp/',
};
const run: CollectionRun = { edit, dryRun: false, commit: 'c0ffee', image, planned: undefined };

describe('action-update-collection summary', () => {
  it('tables the edit, the commit and the image, then the diff', () => {
    const md = summaryMarkdown(run);
    expect(md).toMatch(/^## Kaapana extension collection\n/);
    expect(md).toContain('| extension | `otsu` 0.2.0 (`file://../otsu`) |');
    expect(md).toContain('| collection | `kaapana-extension-collection` 0.1.0 (chart apiVersion v1) |');
    expect(md).toContain('| change | updated (was 0.1.0) |');
    expect(md).toContain('| commit | `c0ffee` |');
    expect(md).toContain('| image | `r/kaapana-extension-collection:kp_0.1.3__0.1.0` |');
    expect(md).toContain('| digest | `sha256:abc` |');
    expect(md).toContain("| platform directory | `/tmp/` (what the platform's copy container reads;");
    expect(md).toContain('| charts in image | `tmp/otsu-0.2.0.tgz` |');
    expect(md).not.toContain('dropped');
    expect(md).toContain('<summary>diff of collections/kaapana-collection/requirements.yaml</summary>');
    expect(md).toContain('```diff\n--- a\n');
  });

  it('a dry run shows the planned image; missing-charts warn shows what it dropped', () => {
    const planned = { image: 'r/c', tag: '0.6.0', ref: 'r/c:0.6.0', version: '0.6.0' };
    const dry = summaryMarkdown({ edit, dryRun: true, commit: '', image: undefined, planned });
    expect(dry).toContain('| change | updated (was 0.1.0), dry run: not written |');
    expect(dry).toContain('| image | `r/c:0.6.0` (dry run: not built) |');
    expect(dry).not.toContain('| commit |');
    const dropped = summaryMarkdown({ ...run, image: { ...image, dropped: ['gone 1.0.0'], digest: '' } });
    expect(dropped).toContain('**1 extension(s) of the collection are NOT in this image**: `gone 1.0.0`');
    expect(dropped).toContain('| digest | not pushed |');
    const same = summaryMarkdown({ ...run, edit: { ...edit, changed: false, diff: '' } });
    expect(same).toContain('| change | none: already listed with this version |');
    expect(same).not.toContain('<details>');
  });

  it('base-collection: the base kept, the image, the charts added and the collection chart', () => {
    const r: BaseCollectionUpdateResult = {
      edit,
      planned: { image: 'r/kaapana-extension-collection', tag: '0.6.0', ref: 'r/kaapana-extension-collection:0.6.0' },
      image: {
        image: 'r/kaapana-extension-collection',
        tag: '0.6.0',
        ref: 'r/kaapana-extension-collection:0.6.0',
        digest: 'sha256:def',
        charts: [],
        imageCharts: [],
        platformDir: 'kaapana/tmp/extensions/',
        baseCharts: ['a.tgz', 'b.tgz'],
        replaced: ['otsu-0.1.0.tgz'],
      },
      expectCharts: ['otsu-0.2.0'],
    };
    const md = baseSummaryMarkdown('base/kaapana-extension-collection:0.6.0', r);
    expect(md).toMatch(/^## Kaapana extension collection \(base-collection\)\n/);
    expect(md).toContain(
      '| base collection | `base/kaapana-extension-collection:0.6.0` (2 chart archive(s) in `/kaapana/tmp/extensions/`, all kept) |',
    );
    expect(md).toContain('| image | `r/kaapana-extension-collection:0.6.0` `sha256:def` |');
    expect(md).toContain('| added | `otsu-0.2.0` (replacing otsu-0.1.0.tgz) |');
    expect(md).toContain('| collection chart | `collections/kaapana-collection/requirements.yaml`: updated |');
    const dry = baseSummaryMarkdown('b:0.6.0', { planned: r.planned, expectCharts: ['otsu-0.2.0'] });
    expect(dry).toContain('| base collection | `b:0.6.0` (dry run) |');
    expect(dry).toContain('(dry run: not built)');
    expect(dry).toContain('| collection chart | not in this tree: not edited |');
  });

  it('is written through writeJobSummary, and skipped without GITHUB_STEP_SUMMARY', async () => {
    const r: BaseCollectionUpdateResult = { planned: { image: 'i', tag: 't', ref: 'i:t' }, expectCharts: [] };
    delete process.env['GITHUB_STEP_SUMMARY'];
    await expect(writeSummary(run)).resolves.toBeUndefined();
    await expect(writeBaseSummary('b:1', r)).resolves.toBeUndefined();
    expect(await env.summaryOf(() => writeSummary(run))).toBe(summaryMarkdown(run));
    expect(await env.summaryOf(() => writeBaseSummary('b:1', r))).toBe(baseSummaryMarkdown('b:1', r));
  });
});

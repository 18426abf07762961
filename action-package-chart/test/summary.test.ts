// The job summary of action-package-chart: a row per packaged (or planned) chart and per failed one,
// and writing it through actions-kit's writeJobSummary (nothing thrown outside a runner).
import { describe, expect, it } from 'vitest';
import type { PackagedChart } from '@kaapana-ext/core/packaging';
import { useActionEnv } from '../../test/support/action-unit.js';
import { summaryMarkdown, writeSummary } from '../src/summary.js';

const env = useActionEnv();
const packaged: PackagedChart = {
  name: 'otsu',
  version: '0.1.0',
  path: '/ws/out/otsu-0.1.0.tgz',
  sha256: '0123456789abcdef0123',
  digest: 'sha256:aa',
  ref: '127.0.0.1:5000/charts/otsu:0.1.0',
  pushed: 'pushed',
};

describe('action-package-chart summary', () => {
  it('a row per chart: archive relative to the workspace, short sha256, OCI reference', () => {
    const md = summaryMarkdown([packaged, { ...packaged, name: 'b', ref: undefined }], [], '/ws', false);
    expect(md).toMatch(/^## Kaapana extension charts\n\n\| chart \| version \| archive \| sha256 \| OCI \|\n/);
    expect(md).toContain(
      '| otsu | 0.1.0 | out/otsu-0.1.0.tgz | `0123456789ab…` | 127.0.0.1:5000/charts/otsu:0.1.0 (pushed) |',
    );
    expect(md).toContain('| b | 0.1.0 | out/otsu-0.1.0.tgz | `0123456789ab…` | — |');
  });

  it('a dry run says what is not written or pushed; a failed chart shows its error', () => {
    const planned: PackagedChart = { ...packaged, sha256: '', dryRun: true, pushed: undefined };
    const md = summaryMarkdown([planned], [{ dir: '/ws/bad', error: 'validation: a | b' }], '/ws', true);
    expect(md).toMatch(/^## Kaapana extension charts \(dry run\)\n/);
    expect(md).toContain('| dry run: not written | 127.0.0.1:5000/charts/otsu:0.1.0 (dry run: not pushed) |');
    expect(md).toContain('| bad |  |  |  | failed: validation: a \\| b |');
  });

  it('is written through writeJobSummary, and skipped without GITHUB_STEP_SUMMARY', async () => {
    delete process.env['GITHUB_STEP_SUMMARY'];
    await expect(writeSummary([packaged], [], '/ws', false)).resolves.toBeUndefined();
    expect(await env.summaryOf(() => writeSummary([packaged], [], '/ws', false))).toBe(
      summaryMarkdown([packaged], [], '/ws', false),
    );
  });
});

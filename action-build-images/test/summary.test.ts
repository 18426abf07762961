// The job summary of action-build-images: the image table (planned, built, not built), the build
// order, skipped and duplicate Dockerfiles, the labels, and writing it through actions-kit's
// writeJobSummary (nothing thrown outside a runner).
import { describe, expect, it } from 'vitest';
import type { BuildPlan, ImageResult } from '@kaapana-ext/core/images';
import { plannedImage } from '../../packages/core/test/support/planned-image.js';
import { useActionEnv } from '../../test/support/action-unit.js';
import { summaryMarkdown, writeSummary } from '../src/summary.js';

const env = useActionEnv();
const image = plannedImage;
const plan: BuildPlan = {
  images: [
    image('base', { localOnly: true, tag: 'latest', ref: 'local-only/base:latest', versionRule: 'local-only' }),
    image('otsu', { dependsOn: ['base'], level: 1, labels: { 'org.opencontainers.image.revision': 'abc' } }),
  ],
  baseImages: [],
  skipped: [{ dockerfile: 'old/Dockerfile', reason: 'BUILD_IGNORE' }],
  duplicates: [{ image: 'otsu', kept: 'otsu/Dockerfile', dropped: 'copy/Dockerfile' }],
};
const result: ImageResult = {
  name: 'otsu',
  dockerfile: 'otsu/Dockerfile',
  tag: '0.1.0',
  ref: 'r/otsu:0.1.0',
  tags: ['r/otsu:0.1.0'],
  localOnly: false,
  status: 'pushed',
  digest: 'sha256:0123456789abcdef0123456789',
  durationMs: 2500,
};

describe('action-build-images summary', () => {
  it('tables each image with its status, digest and time; the build order as mermaid', () => {
    const md = summaryMarkdown(plan, [result], false);
    expect(md).toMatch(/^## Kaapana extension images\n\n\| image \| reference \| tag from \|/);
    expect(md).toContain('| base | local-only/base | local-only | base/Dockerfile | not-built |  |  |');
    expect(md).toContain(
      '| otsu | r/otsu:0.1.0 | LABEL VERSION | otsu/Dockerfile | pushed | `sha256:0123456789ab…` | 2.5 s |',
    );
    expect(md).toContain('```mermaid\nflowchart LR\n');
    expect(md).toContain('  n_base --> n_otsu');
    expect(md).toContain('Skipped by label: `old/Dockerfile` (BUILD_IGNORE)');
    expect(md).toContain('`otsu` kept `otsu/Dockerfile`, dropped `copy/Dockerfile`');
    expect(md).toContain('| otsu | `org.opencontainers.image.revision` | abc |');
  });

  it('a dry run shows every image as planned', () => {
    const md = summaryMarkdown(plan, undefined, true);
    expect(md).toMatch(/^## Kaapana extension images \(dry run\)\n/);
    expect(md).toContain('| otsu | r/otsu:0.1.0 | LABEL VERSION | otsu/Dockerfile | planned |  |  |');
  });

  it('is written through writeJobSummary, and skipped without GITHUB_STEP_SUMMARY', async () => {
    delete process.env['GITHUB_STEP_SUMMARY'];
    await expect(writeSummary(plan, [result], false)).resolves.toBeUndefined();
    expect(await env.summaryOf(() => writeSummary(plan, [result], false))).toBe(summaryMarkdown(plan, [result], false));
  });
});

// The job summary of action-install-extension: deliveries, image imports and releases as tables, a
// dry run's requests, and writing it through actions-kit's writeJobSummary.
import { describe, expect, it } from 'vitest';
import type { InstallExtensionResult } from '@kaapana-ext/core/platform';
import { useActionEnv } from '../../test/support/action-unit.js';
import { summaryMarkdown, writeSummary } from '../src/summary.js';

const env = useActionEnv();
const result: InstallExtensionResult = {
  dryRun: false,
  generation: '0.6.0',
  route: 'API server service proxy /api/v1/namespaces/admin/services/kube-helm-service:5000/proxy',
  delivered: [
    { file: 'otsu-0.1.0.tgz', name: 'otsu', version: '0.1.0', method: 'upload', to: '/extensions', bytes: 2048 },
  ],
  imported: [
    {
      image: 'r/otsu:0.1.0',
      file: 'otsu.tar',
      bytes: 2 * 1048576,
      saveSeconds: 1.25,
      uploadSeconds: 2,
      reply: 'ok',
    },
  ],
  releases: [{ name: 'otsu-x', chart: 'otsu', version: '0.1.0', status: 'deployed', alreadyInstalled: true }],
  uninstalled: [],
  requests: [],
};

describe('action-install-extension summary', () => {
  it('tables deliveries, imports and releases', () => {
    const md = summaryMarkdown(result);
    expect(md).toMatch(
      /^## Kaapana: install extension\n\nPlatform: API server service proxy .* \(Kaapana 0\.6\.0 API\)\n/,
    );
    expect(md).toContain('| `otsu` | 0.1.0 | upload | `/extensions` | 2048 B |');
    expect(md).toContain('| `r/otsu:0.1.0` | otsu.tar | 2.0 MiB | 1.3 s | 2.0 s (1.0 MiB/s) | ok |');
    expect(md).toContain('| `otsu-x` | otsu | 0.1.0 | deployed (was already installed) |');
  });

  it('lists the requests of a dry run', () => {
    const md = summaryMarkdown({ ...result, dryRun: true, requests: ['POST /filepond-upload'] });
    expect(md).toContain('(dry run: nothing was sent)');
    expect(md).toContain('Requests it would make:\n\n```\nPOST /filepond-upload\n```');
  });

  it('is written through writeJobSummary, and skipped without GITHUB_STEP_SUMMARY', async () => {
    delete process.env['GITHUB_STEP_SUMMARY'];
    await expect(writeSummary(result)).resolves.toBeUndefined();
    expect(await env.summaryOf(() => writeSummary(result))).toBe(summaryMarkdown(result));
  });
});

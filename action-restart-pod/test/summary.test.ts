// The job summary of action-restart-pod: its table, the dry run's commands, and writing it through
// actions-kit's writeJobSummary (nothing thrown outside a runner).
import { describe, expect, it } from 'vitest';
import type { RestartResult } from '@kaapana-ext/core/kube';
import type { KubectlChoice } from '@kaapana-ext/actions-kit/tools';
import { useActionEnv } from '../../test/support/action-unit.js';
import { summaryMarkdown, writeSummary } from '../src/summary.js';

const env = useActionEnv();
const kubectl: KubectlChoice = { path: '/usr/bin/kubectl', source: 'path' };
const reload: RestartResult = {
  strategy: 'kube-helm',
  namespace: 'admin',
  dryRun: false,
  resources: [{ kind: 'service', name: 'kube-helm-service:5000', action: 'called' }],
  pods: [],
  reply: 'Successfully updated | the extensions',
  status: 200,
  commands: [],
  job: 'copy-kube-helm-collections-1a2b',
  jobNamespace: 'admin',
  pod: 'copy-1a2b-x',
  podState: 'Succeeded',
  charts: ['otsu-0.1.0'],
  verifiedMs: 4200,
};

describe('action-restart-pod summary', () => {
  it('tables what was touched and what came back', () => {
    const md = summaryMarkdown(reload, kubectl);
    expect(md).toMatch(/^## Kaapana: reload\n/);
    expect(md).toContain('| strategy | `kube-helm` |');
    expect(md).toContain('| called | `service/kube-helm-service:5000` |');
    // The reply's pipe is escaped once (a doubled escape would end the cell there).
    expect(md).toContain('| reply | 200 Successfully updated \\| the extensions |');
    expect(md).toContain('`admin/copy-kube-helm-collections-1a2b` (pod `copy-1a2b-x` Succeeded)');
    expect(md).toContain('| charts listed by /extensions | `otsu-0.1.0` |');
    expect(md).toContain('| reload + verification | 4.2 s |');
    expect(md).toContain('| kubectl | `/usr/bin/kubectl` (path) |');
    expect(md).not.toContain('Commands:');
  });

  it('lists the commands of a dry run', () => {
    const dry: RestartResult = {
      strategy: 'rollout',
      dryRun: true,
      resources: [],
      pods: [],
      commands: ['kubectl rollout restart deployment/x'],
    };
    const md = summaryMarkdown(dry, kubectl);
    expect(md).toContain('`rollout` (dry run: nothing was changed)');
    expect(md).toContain('| namespace | (from the context) |');
    expect(md).toContain('```sh\nkubectl rollout restart deployment/x\n```');
  });

  it('is written through writeJobSummary, and skipped without GITHUB_STEP_SUMMARY', async () => {
    delete process.env['GITHUB_STEP_SUMMARY'];
    await expect(writeSummary(reload, kubectl)).resolves.toBeUndefined();
    expect(await env.summaryOf(() => writeSummary(reload, kubectl))).toBe(summaryMarkdown(reload, kubectl));
  });
});

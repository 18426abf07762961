// restartRecord: the `restarted` output of action-restart-pod is the restart result without its
// empty fields (and without verifiedMs, which only the job summary shows).
import { expect, it } from 'vitest';
import { restartRecord, type RestartResult } from '@kaapana-ext/core/kube';

it('drops empty fields and keeps the order of the output', () => {
  const bare: RestartResult = { strategy: 'rollout', dryRun: true, resources: [], pods: [], commands: ['kubectl x'] };
  expect(restartRecord(bare)).toEqual({
    strategy: 'rollout',
    dryRun: true,
    resources: [],
    pods: [],
    commands: ['kubectl x'],
  });
  const full: RestartResult = {
    ...bare,
    strategy: 'kube-helm',
    namespace: 'admin',
    reply: 'ok',
    status: 200,
    job: 'copy-kube-helm-collections-1',
    jobNamespace: 'admin',
    pod: 'copy-1-abc',
    podState: 'Succeeded',
    charts: ['otsu-0.1.0'],
    verifiedMs: 1234,
  };
  const record = restartRecord(full);
  expect(Object.keys(record)).toEqual([
    'strategy',
    'namespace',
    'dryRun',
    'resources',
    'pods',
    'reply',
    'status',
    'job',
    'jobNamespace',
    'pod',
    'podState',
    'charts',
    'commands',
  ]);
  expect(record['reply']).toBe('ok');
  expect(record).not.toHaveProperty('verifiedMs');
});

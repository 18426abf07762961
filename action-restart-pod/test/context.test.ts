// getInputs() of action-restart-pod: defaults from action.yml, the runner's boolean rules, and one
// clear error naming the input for each bad value.
import { describe, expect, it } from 'vitest';
import { useActionEnv } from '../../test/support/action-unit.js';
import { getInputs } from '../src/context.js';

const env = useActionEnv();

describe('action-restart-pod getInputs', () => {
  it('takes every default from action.yml', () => {
    env.inputs({});
    const i = getInputs();
    expect(i.strategy).toBe('kube-helm');
    expect(i.restart).toMatchObject({
      strategy: 'kube-helm',
      platformVersion: '',
      selector: '',
      jobPrefix: 'copy-kube-helm-collections-',
      service: 'kube-helm-service:5000',
      path: '/update-extensions',
      expectCharts: [],
      verify: true,
      requestTimeoutSec: 600,
    });
    expect(i.namespace).toBe('admin');
    expect(i.kubeconfig).toBeUndefined();
    expect(i.kubectlVersion).toBe('');
    expect(i.kubectlBaseUrl).toBe('https://dl.k8s.io/release');
    expect([i.timeoutMs, i.pollMs, i.retries, i.dryRun]).toEqual([300_000, 2000, 4, false]);
  });

  it('derives the namespace from platform-version and strategy', () => {
    env.inputs({ 'platform-version': '0.1.3' });
    expect(getInputs().namespace).toBe('kube-system');
    env.inputs({ strategy: 'delete-pods', 'platform-version': '0.1.3' });
    expect(getInputs().namespace).toBe('default');
    env.inputs({ strategy: 'rollout' });
    expect(getInputs().namespace).toBeUndefined();
  });

  it("reads booleans by the runner's rules", () => {
    env.inputs({ verify: 'FALSE', 'dry-run': 'True' });
    expect([getInputs().restart.verify, getInputs().dryRun]).toEqual([false, true]);
    env.inputs({ 'dry-run': 'yes' });
    expect(() => getInputs()).toThrow(/input dry-run must be true or false/);
  });

  it('reads expect-charts as a list or a JSON array', () => {
    env.inputs({ 'expect-charts': 'a-1.0.0\nb-2.0.0.tgz, c-3' });
    expect(getInputs().restart.expectCharts).toEqual(['a-1.0.0', 'b-2.0.0.tgz', 'c-3']);
    env.inputs({ 'expect-charts': '["a-1.0.0"]' });
    expect(getInputs().restart.expectCharts).toEqual(['a-1.0.0']);
    env.inputs({ 'expect-charts': '[a-1' });
    expect(() => getInputs()).toThrow(/input expect-charts looks like JSON/);
    env.inputs({ 'expect-charts': '[1]' });
    expect(() => getInputs()).toThrow(/input expect-charts: a JSON value must be an array of strings/);
  });

  it('names the input of every bad value', () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ strategy: 'reboot' }, /strategy must be one of delete-pods, rollout, kube-helm/],
      [{ retries: '0' }, /input retries must be a whole number ≥ 1/],
      [{ timeout: 'soon' }, /timeout/],
      [{ 'poll-interval': '2 fortnights' }, /poll-interval/],
      [{ 'request-timeout': 'x' }, /request-timeout/],
      [{ kubeconfig: 'not: [a kubeconfig' }, /kubeconfig/],
    ];
    for (const [inputs, error] of bad) {
      env.inputs(inputs);
      expect(() => getInputs(), JSON.stringify(inputs)).toThrow(error);
    }
  });
});

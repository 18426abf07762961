// getInputs() of action-install-extension: defaults from action.yml, the runner's boolean rules, and
// one clear error naming the input for each bad value.
import { describe, expect, it } from 'vitest';
import { useActionEnv } from '../../test/support/action-unit.js';
import { getInputs } from '../src/context.js';

const env = useActionEnv();

describe('action-install-extension getInputs', () => {
  it('takes every default from action.yml', () => {
    env.inputs({});
    const i = getInputs();
    expect(i).toMatchObject({
      charts: [],
      method: 'upload',
      extensionsDir: '/home/kaapana/extensions',
      images: [],
      generation: '0.6.0',
      platformUrl: '',
      tokenUrl: '',
      clientId: 'kaapana',
      namespace: 'admin',
      service: 'kube-helm-service:5000',
      install: false,
      uninstall: false,
      blocking: false,
      chunkSize: 16 * 1024 * 1024,
      uploadThreshold: 10 * 1024 * 1024,
      uploadAttempts: 3,
      timeoutMs: 300_000,
      dryRun: false,
    });
    expect([i.ssh, i.ca, i.kubeconfig, i.project, i.extensionParams]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('reads ssh, the 0.1.x namespace, the token URL and the project', () => {
    env.inputs({
      'ssh-host': 'kaapana.example',
      'platform-version': '0.1.3',
      'platform-url': 'https://kaapana.example',
      project: '{"id": 1, "name": "admin"}',
      'extension-params': 'a=b',
    });
    const i = getInputs();
    expect(i.ssh).toMatchObject({ host: 'kaapana.example', port: 22, user: 'kaapana' });
    expect([i.generation, i.namespace]).toEqual(['0.1.x', 'kube-system']);
    expect(i.tokenUrl).toMatch(/^https:\/\/kaapana\.example\//);
    expect(i.project).toEqual({ id: 1, name: 'admin' });
    expect(i.extensionParams).toEqual({ a: 'b' });
  });

  it("reads booleans by the runner's rules", () => {
    env.inputs({ install: 'TRUE', uninstall: 'False', blocking: 'true', 'dry-run': 'FALSE' });
    expect(getInputs()).toMatchObject({ install: true, uninstall: false, blocking: true, dryRun: false });
    env.inputs({ install: 'on' });
    expect(() => getInputs()).toThrow(/input install must be true or false/);
  });

  it('names the input of every bad value', () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ method: 'ftp' }, /input method must be one of upload, copy/],
      [{ 'chunk-size': '100' }, /input chunk-size must be a whole number ≥ 1024/],
      [{ 'upload-attempts': '0' }, /input upload-attempts must be a whole number ≥ 1/],
      [{ 'ssh-host': 'h', 'ssh-port': 'x' }, /input ssh-port/],
      [{ 'platform-url': 'kaapana.example' }, /input platform-url "kaapana.example" must start with https:\/\//],
      [{ 'platform-version': 'latest' }, /platform-version "latest" is not a Kaapana version/],
      [{ project: '{"id": 1}' }, /input project must be a JSON object with at least id and name/],
      [{ project: 'x' }, /input project is not JSON/],
      [{ 'ca-certificate': '/nonexistent/ca.pem' }, /input ca-certificate is neither PEM text nor a readable file/],
      [{ timeout: 'later' }, /timeout/],
    ];
    for (const [inputs, error] of bad) {
      env.inputs(inputs);
      expect(() => getInputs(), JSON.stringify(inputs)).toThrow(error);
    }
  });
});

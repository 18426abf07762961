// Class 3 — leaks: credentials in push URLs, repository URLs and kubeconfigs never reach a visible
// log line (errors, debug lines, the CLI), the job summary or an output; symlinks that leave a chart
// never pull outside files into a published archive unless the user allows it (and then with
// helm's warning). "Masked" is checked the runner's way: the value was registered with
// `::add-mask::` (the runner then hides it) and no other line, summary or output contains it.
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chartFiles,
  denyingServer,
  expectChangesOnlyUnder,
  expectCleanFailure,
  expectNoSecret,
  maskedValues,
  runHostileAction,
  runHostileCli,
  scratch,
  snapshot,
  visibleLog,
  writeTree,
  type DenyingServer,
  type Scratch,
} from './harness.js';

let s: Scratch;
afterEach(() => s?.cleanup());

const PASSWORD = 'Pw-17-hostile/s3cr3t';
const BASIC = `Basic ${Buffer.from(`kx-user:${PASSWORD}`).toString('base64')}`;
let server: DenyingServer;
beforeAll(async () => {
  server = await denyingServer();
});
afterAll(() => server.close());
const push = () => `oci://kx-user:${encodeURIComponent(PASSWORD)}@${server.host}/charts`;

describe('package-chart: credentials in the push URL', () => {
  for (const debug of [false, true]) {
    it(`are masked and never shown${debug ? ' (with RUNNER_DEBUG=1)' : ''}`, async () => {
      s = scratch('oci-creds');
      writeTree(join(s.ws, 'wf'), chartFiles('wf'));
      const run = await runHostileAction(
        'action-package-chart',
        { chart: 'wf', destination: 'out', push: push() },
        s,
        debug ? { RUNNER_DEBUG: '1' } : {},
      );
      expectCleanFailure(run, {
        file: 'out/wf-0.1.0.tgz',
        message: /pushing out\/wf-0.1.0.tgz failed/,
        secrets: [PASSWORD, encodeURIComponent(PASSWORD), `kx-user:${encodeURIComponent(PASSWORD)}`],
      });
      expect(maskedValues(run.stdout)).toEqual(expect.arrayContaining([PASSWORD, encodeURIComponent(PASSWORD)]));
      expect(visibleLog(run.stdout)).toContain(server.host);
      expect(server.authorizations).toContain(BASIC);
    });
  }

  it('are not shown when the URL itself is malformed', async () => {
    s = scratch('oci-bad');
    writeTree(join(s.ws, 'wf'), chartFiles('wf'));
    const run = await runHostileAction('action-package-chart', { chart: 'wf', push: `oci://kx-user:${PASSWORD}@` }, s);
    expect(run.exitCode).toBe(1);
    expectNoSecret(run, [PASSWORD]);
  });

  it('are not shown by the CLI (--verbose)', async () => {
    s = scratch('oci-cli');
    writeTree(join(s.ws, 'wf'), chartFiles('wf'));
    const run = await runHostileCli(
      ['package-chart', '--chart', 'wf', '--destination', 'out', '--push', push(), '--verbose'],
      s,
    );
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expectNoSecret(run, [PASSWORD, encodeURIComponent(PASSWORD)]);
    expect(run.stdout).toContain(server.host);
  });
});

describe('package-chart: credentials in a repository URL of the dependency list', () => {
  it('are sent as Basic auth and never shown', async () => {
    s = scratch('repo-creds');
    writeTree(
      join(s.ws, 'wf'),
      chartFiles('wf', {
        requirements: `dependencies:\n  - name: dep\n    version: 1.0.0\n    repository: http://kx-user:${PASSWORD}@${server.host}/charts\n`,
      }),
    );
    const run = await runHostileAction('action-package-chart', { chart: 'wf', destination: 'out' }, s, {
      RUNNER_DEBUG: '1',
    });
    expectCleanFailure(run, { file: 'wf', secrets: [PASSWORD] });
    expect(visibleLog(run.stdout)).toContain(`http://***@${server.host}/charts`);
    expect(server.authorizations).toContain(BASIC);
  });
});

describe('package-chart: symlinks that leave the chart', () => {
  it('refuses a link to a file of the machine (/etc/hostname)', async () => {
    s = scratch('link-etc');
    writeTree(join(s.ws, 'wf'), chartFiles('wf'));
    symlinkSync('/etc/hostname', join(s.ws, 'wf', 'templates', 'hostname.txt'));
    const before = snapshot(s.root);
    const run = await runHostileAction('action-package-chart', { chart: 'wf', destination: 'out' }, s);
    expectCleanFailure(run, { file: 'wf/templates/hostname.txt', message: /points outside the chart/ });
    expectChangesOnlyUnder(before, snapshot(s.root), []);
  });

  it('refuses ../../secret.txt and never shows its content', async () => {
    s = scratch('link-secret');
    writeTree(join(s.ws, 'wf'), chartFiles('wf'));
    symlinkSync('../../../outside/secret.txt', join(s.ws, 'wf', 'templates', 'secret.txt'));
    const run = await runHostileAction('action-package-chart', { chart: 'wf', destination: 'out' }, s);
    expectCleanFailure(run, { file: 'wf/templates/secret.txt', secrets: [s.secret] });
    expect(existsSync(join(s.ws, 'out'))).toBe(false);
  });

  it('includes it with helm’s warning when allow-external-symlinks is true', async () => {
    s = scratch('link-allowed');
    writeTree(join(s.ws, 'wf'), chartFiles('wf'));
    symlinkSync('../../../outside/secret.txt', join(s.ws, 'wf', 'templates', 'secret.txt'));
    const run = await runHostileAction(
      'action-package-chart',
      { chart: 'wf', destination: 'out', 'allow-external-symlinks': 'true' },
      s,
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).toMatch(
      /::warning title=kaapana-ext,file=wf\/templates\/secret.txt::found symbolic link in path: .* resolves to .*outside\/secret.txt, outside the chart/,
    );
  });
});

describe('restart-pod: kubeconfig secrets', () => {
  it('masks OIDC client-secret, id/refresh tokens and exec env values', async () => {
    s = scratch('kubeconfig');
    const secrets = {
      clientSecret: 'oidc-client-secret-17x',
      idToken: 'oidc-id-token-17x',
      refresh: 'oidc-refresh-17x',
      execEnv: 'exec-env-token-17x',
    };
    const kubeconfig = [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
      'contexts: [{name: oidc, context: {cluster: c, user: oidc}}, {name: exec, context: {cluster: c, user: exec}}]',
      'current-context: oidc',
      'users:',
      '- name: oidc',
      '  user:',
      '    auth-provider:',
      '      name: oidc',
      '      config:',
      '        client-id: kaapana',
      `        client-secret: ${secrets.clientSecret}`,
      `        id-token: ${secrets.idToken}`,
      `        refresh-token: ${secrets.refresh}`,
      '        idp-issuer-url: https://keycloak.example/realms/kaapana',
      '- name: exec',
      '  user:',
      '    exec:',
      '      apiVersion: client.authentication.k8s.io/v1',
      '      command: /bin/false',
      '      env:',
      '      - name: KAAPANA_TOKEN',
      `        value: ${secrets.execEnv}`,
      '',
    ].join('\n');
    const run = await runHostileAction('action-restart-pod', { kubeconfig, 'dry-run': 'true' }, s);
    expect(maskedValues(run.stdout)).toEqual(expect.arrayContaining(Object.values(secrets)));
    expectNoSecret(run, Object.values(secrets));
  });
});

// `kaapana-ext publish` over four small real JavaScript actions written by the test: option
// routing (--<input> to every declaring step, --<step>.<input> to one), the package-chart →
// update-collection hand-over, step selection, and stopping at the first failed step.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli-io.js';

// Every fixture action reports the inputs it saw as the output `seen`; package-chart also reports
// a packaged chart (it knows itself by GITHUB_ACTION_PATH); any action fails when its input `fail` is true.
const DIST = `
import { appendFileSync } from 'node:fs';
const seen = {};
for (const [k, v] of Object.entries(process.env)) if (k.startsWith('INPUT_') && v !== '') seen[k.slice(6).toLowerCase()] = v;
if (seen.fail === 'true') { console.log('::error::asked to fail'); process.exit(1); }
appendFileSync(process.env.GITHUB_OUTPUT, 'seen=' + JSON.stringify(seen) + '\\n');
if (process.env.GITHUB_ACTION_PATH.endsWith('action-package-chart')) {
  appendFileSync(process.env.GITHUB_OUTPUT, 'packages=' + JSON.stringify([{ name: 'wf', version: '1.2.3', path: '/out/wf-1.2.3.tgz' }]) + '\\n');
}
if (process.env.GITHUB_ACTION_PATH.endsWith('action-update-collection')) {
  appendFileSync(process.env.GITHUB_OUTPUT, 'expect-charts=' + JSON.stringify(['wf-1.2.3']) + '\\n');
}
`;

const INPUTS: Record<string, string[]> = {
  'build-images': ['context', 'registry', 'version', 'skip-existing', 'fail'],
  'package-chart': ['chart', 'version', 'destination', 'skip-existing', 'fail'],
  'update-collection': ['collection-dir', 'chart', 'charts', 'chart-name', 'chart-version', 'context', 'registry', 'fail'],
  'restart-pod': ['strategy', 'context', 'kubeconfig', 'expect-charts', 'fail'],
  'install-extension': ['chart', 'platform-url', 'install', 'fail'],
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kx-publish-test-'));
  for (const [step, inputs] of Object.entries(INPUTS)) {
    const a = join(dir, `action-${step}`);
    await mkdir(join(a, 'dist'), { recursive: true });
    const yml = [
      `name: 'fixture ${step}'`,
      `description: 'Fixture ${step}.'`,
      'inputs:',
      ...inputs.flatMap((i) => [`  ${i}:`, `    description: '${i}'`, `    default: '${i === 'skip-existing' || i === 'fail' ? 'false' : ''}'`]),
      'runs:',
      '  using: node24',
      '  main: dist/index.js',
      '',
    ].join('\n');
    await writeFile(join(a, 'action.yml'), yml);
    await writeFile(join(a, 'dist', 'index.js'), DIST);
    await writeFile(join(a, 'package.json'), '{"type":"module"}');
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface PublishJson {
  ok: boolean;
  steps: { step: string; ok: boolean; outputs: { seen?: Record<string, string> } }[];
}

async function publish(argv: string[]): Promise<{ code: number; json?: PublishJson; stderr: string; stdout: string }> {
  const { code, stdout, stderr } = await runCli(['publish', ...argv], dir);
  let json: PublishJson | undefined;
  try {
    json = JSON.parse(stdout) as PublishJson;
  } catch {
    json = undefined;
  }
  return { code, json, stdout, stderr };
}

const seen = (j: PublishJson | undefined, step: string) => j?.steps.find((s) => s.step === step)?.outputs.seen ?? {};

describe('kaapana-ext publish', () => {
  it('routes shared and scoped options and hands the packaged chart to update-collection', async () => {
    const r = await publish([
      '--json', '--registry', 'r.example/x', '--chart', 'ext/chart',
      '--build-images.context', 'ext', '--update-collection.context', 'bases',
      '--package-chart.version', '1.2.3', '--collection-dir', 'coll',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.steps.map((s) => s.step)).toEqual(['build-images', 'package-chart', 'update-collection']);
    expect(seen(r.json, 'build-images')).toEqual({ context: 'ext', registry: 'r.example/x', 'skip-existing': 'false', fail: 'false' });
    expect(seen(r.json, 'package-chart')).toMatchObject({ chart: 'ext/chart', version: '1.2.3' });
    expect(seen(r.json, 'update-collection')).toEqual({
      chart: 'ext/chart',
      context: 'bases',
      'collection-dir': 'coll',
      registry: 'r.example/x',
      fail: 'false',
      // handed over from package-chart's `packages` output
      charts: '/out/wf-1.2.3.tgz',
      'chart-name': 'wf',
      'chart-version': '1.2.3',
    });
    expect(r.stderr).toContain('note: --registry goes to build-images, update-collection');
  });

  it('restarts only with --restart, and --steps picks steps', async () => {
    const a = await publish(['--json', '--restart', '--restart-pod.context', 'kind-kaapana', '--strategy', 'rollout']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.json?.steps.map((s) => s.step)).toEqual(['build-images', 'package-chart', 'update-collection', 'restart-pod']);
    expect(seen(a.json, 'restart-pod')).toMatchObject({ context: 'kind-kaapana', strategy: 'rollout', 'expect-charts': '["wf-1.2.3"]' });
    expect(seen(a.json, 'build-images').context).toBeUndefined();
    const b = await publish(['--json', '--steps', 'package-chart,restart-pod']);
    expect(b.json?.steps.map((s) => s.step)).toEqual(['package-chart', 'restart-pod']);
    const c = await publish(['--steps', 'package-chart,deploy']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('--steps: unknown step "deploy"');
  });

  it('--install-extension delivers the packaged chart instead of the collection route', async () => {
    const r = await publish(['--json', '--install-extension', '--chart', 'ext/chart', '--platform-url', 'https://kaapana.example', '--install', 'true']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.steps.map((s) => s.step)).toEqual(['build-images', 'package-chart', 'install-extension']);
    // package-chart's chart directory is not an archive: the packaged .tgz goes to install-extension
    expect(seen(r.json, 'package-chart')).toMatchObject({ chart: 'ext/chart' });
    expect(seen(r.json, 'install-extension')).toEqual({ chart: '/out/wf-1.2.3.tgz', 'platform-url': 'https://kaapana.example', install: 'true', fail: 'false' });
    const both = await publish(['--install-extension', '--restart']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('two different routes');
  });

  it('stops at the first failed step', async () => {
    const r = await publish(['--json', '--package-chart.fail']);
    expect(r.code).toBe(1);
    expect(r.json?.ok).toBe(false);
    expect(r.json?.steps.map((s) => [s.step, s.ok])).toEqual([
      ['build-images', true],
      ['package-chart', false],
    ]);
  });

  it('rejects a scoped option for an unknown step', async () => {
    const r = await publish(['--deploy.context', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown step "deploy"');
  });
});

// `kaapana-ext publish` over four small real JavaScript actions written by the test: option
// routing (--<input> to every declaring step, --<step>.<input> to one), the build-images →
// package-chart (plan) and package-chart → update-collection hand-overs, step selection, and stopping at the first failed step.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadActionMetadata } from '../src/action-metadata.js';
import { PUBLISH_ORDER as PUBLISH_STEPS } from '../src/publish.js';
import { MEANINGS, SAME_MEANING } from '../src/routing.js';
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
if (process.env.GITHUB_ACTION_PATH.endsWith('action-build-images')) {
  appendFileSync(process.env.GITHUB_OUTPUT, 'plan=' + JSON.stringify({ images: [{ name: 'dag', tag: '1.2.3', ref: 'r.example/x/dag:1.2.3' }] }) + '\\n');
}
if (process.env.GITHUB_ACTION_PATH.endsWith('action-update-collection')) {
  appendFileSync(process.env.GITHUB_OUTPUT, 'expect-charts=' + JSON.stringify(['wf-1.2.3']) + '\\n');
}
`;

// name or name=default, with the kinds (boolean or not) and the shared names of the real actions
const INPUTS: Record<string, string[]> = {
  'build-images': [
    'context',
    'registry',
    'version',
    'skip-existing=false',
    'push=true',
    'retries',
    'dry-run=false',
    'fail=false',
  ],
  'package-chart': [
    'chart',
    'version',
    'destination',
    'images',
    'registry',
    'skip-existing=false',
    'push',
    'dry-run=false',
    'fail=false',
  ],
  'update-collection': [
    'collection-dir',
    'chart',
    'charts',
    'chart-name',
    'chart-version',
    'context',
    'registry',
    'push=true',
    'retries',
    'dry-run=false',
    'fail=false',
  ],
  'restart-pod': [
    'strategy',
    'context',
    'kubeconfig',
    'expect-charts',
    'retries',
    'namespace',
    'dry-run=false',
    'fail=false',
  ],
  'install-extension': ['chart', 'platform-url', 'install=false', 'namespace', 'dry-run=false', 'fail=false'],
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
      ...inputs
        .map((i) => i.split('='))
        .flatMap(([i, d]) => [`  ${i}:`, `    description: '${i}'`, `    default: '${d ?? ''}'`]),
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
      '--json',
      '--registry',
      'r.example/x',
      '--chart',
      'ext/chart',
      '--build-images.context',
      'ext',
      '--update-collection.context',
      'bases',
      '--package-chart.version',
      '1.2.3',
      '--collection-dir',
      'coll',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.steps.map((s) => s.step)).toEqual(['build-images', 'package-chart', 'update-collection']);
    expect(seen(r.json, 'build-images')).toEqual({
      context: 'ext',
      registry: 'r.example/x',
      'skip-existing': 'false',
      push: 'true',
      'dry-run': 'false',
      fail: 'false',
    });
    expect(seen(r.json, 'package-chart')).toMatchObject({
      chart: 'ext/chart',
      version: '1.2.3',
      registry: 'r.example/x',
      // handed over from build-images' `plan` output, for package-chart's reference lint
      images: JSON.stringify({ images: [{ name: 'dag', tag: '1.2.3', ref: 'r.example/x/dag:1.2.3' }] }),
    });
    expect(seen(r.json, 'update-collection')).toEqual({
      chart: 'ext/chart',
      context: 'bases',
      'collection-dir': 'coll',
      registry: 'r.example/x',
      push: 'true',
      'dry-run': 'false',
      fail: 'false',
      // handed over from package-chart's `packages` output
      charts: '/out/wf-1.2.3.tgz',
      'chart-name': 'wf',
      'chart-version': '1.2.3',
    });
    // same meaning in both steps: no note
    expect(r.stderr).not.toContain('--registry');
  });

  it('restarts only with --restart, and --steps picks steps', async () => {
    const a = await publish(['--json', '--restart', '--restart-pod.context', 'kind-kaapana', '--strategy', 'rollout']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.json?.steps.map((s) => s.step)).toEqual([
      'build-images',
      'package-chart',
      'update-collection',
      'restart-pod',
    ]);
    expect(seen(a.json, 'restart-pod')).toMatchObject({
      context: 'kind-kaapana',
      strategy: 'rollout',
      'expect-charts': '["wf-1.2.3"]',
    });
    expect(seen(a.json, 'build-images').context).toBeUndefined();
    const b = await publish(['--json', '--steps', 'package-chart,restart-pod']);
    expect(b.json?.steps.map((s) => s.step)).toEqual(['package-chart', 'restart-pod']);
    const c = await publish(['--steps', 'package-chart,deploy']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('--steps: unknown step "deploy"');
  });

  it('--install-extension delivers the packaged chart instead of the collection route', async () => {
    const r = await publish([
      '--json',
      '--install-extension',
      '--chart',
      'ext/chart',
      '--platform-url',
      'https://kaapana.example',
      '--install',
      'true',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.steps.map((s) => s.step)).toEqual(['build-images', 'package-chart', 'install-extension']);
    // package-chart's chart directory is not an archive: the packaged .tgz goes to install-extension
    expect(seen(r.json, 'package-chart')).toMatchObject({ chart: 'ext/chart' });
    expect(seen(r.json, 'install-extension')).toEqual({
      chart: '/out/wf-1.2.3.tgz',
      'platform-url': 'https://kaapana.example',
      install: 'true',
      'dry-run': 'false',
      fail: 'false',
    });
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

  it('--context and --retries reach the steps of their usual meaning; restart-pod takes the scoped form', async () => {
    const r = await publish([
      '--json',
      '--restart',
      '--context',
      'ext',
      '--retries',
      '3',
      '--restart-pod.context',
      'kind-kaapana',
      '--update-collection.context',
      'bases',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(seen(r.json, 'build-images')).toMatchObject({ context: 'ext', retries: '3' });
    // the scoped option wins over the unscoped one for its step
    expect(seen(r.json, 'update-collection')).toMatchObject({ context: 'bases', retries: '3' });
    expect(seen(r.json, 'restart-pod')).toMatchObject({ context: 'kind-kaapana' });
    expect(seen(r.json, 'restart-pod').retries).toBeUndefined();
    expect(r.stderr).toContain(
      'note: --context goes to build-images, update-collection (a directory of Dockerfiles; in restart-pod the kubeconfig context): use --restart-pod.context for that',
    );
    // alone, restart-pod's meaning is the only one
    const only = await publish(['--json', '--steps', 'restart-pod', '--context', 'kind-a']);
    expect(seen(only.json, 'restart-pod')).toMatchObject({ context: 'kind-a' });
  });

  it('--version means two things: refused unscoped when both steps run', async () => {
    const r = await publish(['--version', '1.0.0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--version is the image version in build-images, the chart version in package-chart: give --build-images.version, --package-chart.version instead',
    );
    const one = await publish(['--json', '--steps', 'package-chart', '--version', '1.0.0']);
    expect(seen(one.json, 'package-chart')).toMatchObject({ version: '1.0.0' });
    const both = await publish([
      '--json',
      '--steps',
      'restart-pod,install-extension',
      '--restart-pod.namespace',
      'a',
      '--install-extension.namespace',
      'b',
    ]);
    expect([seen(both.json, 'restart-pod').namespace, seen(both.json, 'install-extension').namespace]).toEqual([
      'a',
      'b',
    ]);
  });

  it('--dry-run reaches every step', async () => {
    const r = await publish([
      '--json',
      '--steps',
      'build-images,package-chart,update-collection,restart-pod,install-extension',
      '--dry-run',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.steps.map((s) => [s.step, s.outputs.seen?.['dry-run']])).toEqual(
      PUBLISH_STEPS.map((s) => [s, 'true']),
    );
  });

  it("--no-push turns off every push; --push oci://… is package-chart's", async () => {
    const off = await publish(['--json', '--no-push']);
    expect(off.code, off.stderr).toBe(0);
    expect([
      seen(off.json, 'build-images').push,
      seen(off.json, 'package-chart').push,
      seen(off.json, 'update-collection').push,
    ]).toEqual(['false', undefined, 'false']);
    const oci = await publish(['--json', '--push', 'oci://r.example/charts', '--registry', 'r.example/x']);
    expect(oci.code, oci.stderr).toBe(0);
    expect([
      seen(oci.json, 'build-images').push,
      seen(oci.json, 'package-chart').push,
      seen(oci.json, 'update-collection').push,
    ]).toEqual(['true', 'oci://r.example/charts', 'true']);
    expect(seen(oci.json, 'build-images').registry).toBe('r.example/x');
    const inline = await publish(['--json', '--push=oci://r.example/c2', '--build-images.push=false']);
    expect(seen(inline.json, 'package-chart').push).toBe('oci://r.example/c2');
    expect([seen(inline.json, 'build-images').push, seen(inline.json, 'update-collection').push]).toEqual([
      'false',
      'true',
    ]);
  });

  it('prints a few readable lines per step in text mode, JSON only with --json', async () => {
    const r = await publish(['--chart', 'ext/chart']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('\npackage-chart:\n  seen: {chart, ');
    expect(r.stdout).toMatch(/\n {2}packages: 1\n {4}wf 1\.2\.3 → \/out\/wf-1\.2\.3\.tgz\n/);
    expect(r.stdout).toMatch(/Publish summary:\n {2}✓ build-images/);
    expect(r.stdout).not.toMatch(/^\s*[[{]\s*$/m);
    expect(
      r.stdout.split('\n').filter((l) => /^\S/.test(l) && !l.startsWith('▶▶') && !l.startsWith('✓')).length,
    ).toBeLessThan(12);
  });
});

it('every input several real actions declare has a routing decision', async () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const declared = new Map<string, number>();
  for (const step of PUBLISH_STEPS)
    for (const i of (await loadActionMetadata(join(root, `action-${step}`))).inputs)
      declared.set(i.name, (declared.get(i.name) ?? 0) + 1);
  const shared = [...declared]
    .filter(([, n]) => n > 1)
    .map(([name]) => name)
    .sort();
  expect(shared).toEqual([...Object.keys(MEANINGS), ...SAME_MEANING].sort());
});

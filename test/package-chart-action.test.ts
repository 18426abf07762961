// action-package-chart end to end through its committed bundle, run like the GitHub runner does:
// the seed's example chart with its file:// dag-installer-chart (output JSON, job summary, archive),
// a glob over several charts, a push to the local registry, and a broken chart (error annotation
// with file and line, failed step).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PackagedChart } from '../action-package-chart/src/main.js';
import { runAction } from './support/run-action.js';
import { REGISTRY, registryAvailable, registryClient, uniqueName } from './support/registry.js';
import { needService } from './support/services.js';

const registryUp = needService('the registry on 127.0.0.1:5000', await registryAvailable(), import.meta.url);
const fixtures = join(import.meta.dirname, '..', 'packages/core/test/chart/testdata/kaapana');
let ws: string;
beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'kx-pkg-action-'));
  cpSync(fixtures, join(ws, 'extension'), { recursive: true });
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

/** The shape of the action's `packages` output, as the action itself declares it. */
type Packaged = PackagedChart;

describe('action-package-chart', () => {
  it('packages the seed chart (dep up + package) and reports it', async () => {
    const run = await runAction(
      'action-package-chart',
      { chart: 'extension/threshold-segmentation-workflow', destination: 'dist', 'dependency-update': 'true' },
      { post: false, env: { GITHUB_WORKSPACE: ws } },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    const packages = JSON.parse(run.outputs.packages ?? '[]') as Packaged[];
    expect(packages).toHaveLength(1);
    const p = packages[0] as Packaged;
    expect(p).toMatchObject({
      name: 'example-threshold-segmentation-workflow',
      version: '0.1.0',
      path: join(ws, 'dist', 'example-threshold-segmentation-workflow-0.1.0.tgz'),
    });
    expect(createHash('sha256').update(readFileSync(p.path)).digest('hex')).toBe(p.sha256);
    expect(run.summary).toContain(
      '| example-threshold-segmentation-workflow | 0.1.0 | dist/example-threshold-segmentation-workflow-0.1.0.tgz |',
    );
    expect(run.stdout).toContain('dependency dag-installer-chart 0.1.0 (file)');
  });

  it('expands a glob over several charts and applies --version / --app-version', async () => {
    const run = await runAction(
      'action-package-chart',
      { charts: 'extension/**', destination: 'globbed', version: '0.2.0', 'app-version': '2.0' },
      { post: false, env: { GITHUB_WORKSPACE: ws } },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    const packages = JSON.parse(run.outputs.packages ?? '[]') as Packaged[];
    expect(packages.map((p) => `${p.name}-${p.version}`).sort()).toEqual([
      'dag-installer-chart-0.2.0',
      'example-threshold-segmentation-workflow-0.2.0',
    ]);
  });

  it('warns about a workflow chart whose first dependency is not dag-installer-chart', async () => {
    const dir = join(ws, 'lint', 'wf');
    cpSync(join(ws, 'extension', 'threshold-segmentation-workflow'), dir, { recursive: true });
    const req = readFileSync(join(dir, 'requirements.yaml'), 'utf8');
    // another (file://) dependency before dag-installer-chart
    writeFileSync(
      join(dir, 'requirements.yaml'),
      req.replace(
        'dependencies:\n',
        'dependencies:\n  - name: dag-installer-chart-copy\n    version: "0.1.0"\n    repository: file://../copy\n',
      ),
    );
    cpSync(join(ws, 'extension', 'dag-installer-chart'), join(ws, 'lint', 'copy'), { recursive: true });
    cpSync(join(ws, 'extension', 'dag-installer-chart'), join(ws, 'lint', 'dag-installer-chart'), { recursive: true });
    writeFileSync(
      join(ws, 'lint', 'copy', 'Chart.yaml'),
      readFileSync(join(ws, 'lint', 'copy', 'Chart.yaml'), 'utf8').replace(
        /^name: .*$/m,
        'name: dag-installer-chart-copy',
      ),
    );
    rmSync(join(dir, 'requirements.lock'), { force: true });
    rmSync(join(dir, 'charts'), { recursive: true, force: true });
    mkdirSync(join(ws, 'lint', 'docker'), { recursive: true });
    writeFileSync(
      join(ws, 'lint', 'docker', 'Dockerfile'),
      'FROM local-only/dag-installer:0.1.0\nLABEL IMAGE="some-other-dag"\n',
    );
    const run = await runAction(
      'action-package-chart',
      { chart: 'lint/wf', destination: 'lint-out' },
      { post: false, env: { GITHUB_WORKSPACE: ws } },
    );
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.stdout).toMatch(
      /::warning title=kaapana-ext,file=lint\/wf\/requirements.yaml::workflow chart example-threshold-segmentation-workflow: the first dependency should be dag-installer-chart/,
    );
    expect(run.stdout).toMatch(
      /::warning title=kaapana-ext,file=lint\/wf\/values.yaml::.*global.image "dag-example-otsus-method" is not an image of this extension \(some-other-dag\)/,
    );
  });

  it('refuses a workflow chart without dag-installer-chart before writing anything', async () => {
    const dir = join(ws, 'lint2', 'wf');
    cpSync(join(ws, 'extension', 'threshold-segmentation-workflow'), dir, { recursive: true });
    rmSync(join(dir, 'requirements.yaml'));
    rmSync(join(dir, 'requirements.lock'), { force: true });
    rmSync(join(dir, 'charts'), { recursive: true, force: true });
    const run = await runAction(
      'action-package-chart',
      { chart: 'lint2/wf', destination: 'lint2-out' },
      { post: false, env: { GITHUB_WORKSPACE: ws } },
    );
    expect(run.exitCode).not.toBe(0);
    expect(run.stdout).toMatch(
      /::error title=kaapana-ext,file=lint2\/wf\/Chart.yaml::workflow chart example-threshold-segmentation-workflow \(keyword kaapanaworkflow\) has no dag-installer-chart dependency/,
    );
    expect(existsSync(join(ws, 'lint2-out'))).toBe(false);
  });

  it('dry-run reports the archive and OCI reference it would write, and writes nothing', async () => {
    cpSync(join(ws, 'extension'), join(ws, 'dry'), { recursive: true });
    const dir = join(ws, 'dry', 'threshold-segmentation-workflow');
    rmSync(join(dir, 'requirements.lock'), { force: true });
    rmSync(join(dir, 'charts'), { recursive: true, force: true });
    const inputs = {
      chart: 'dry/threshold-segmentation-workflow',
      destination: 'dry-out',
      'dry-run': 'true',
      push: 'oci://r.example:5000/kx/charts',
      version: '0.3.0+b1',
    };
    const run = await runAction('action-package-chart', inputs, { post: false, env: { GITHUB_WORKSPACE: ws } });
    expect(run.exitCode, run.stdout).toBe(0);
    expect(JSON.parse(run.outputs.packages ?? '[]')).toEqual([
      {
        name: 'example-threshold-segmentation-workflow',
        version: '0.3.0+b1',
        path: join(ws, 'dry-out', 'example-threshold-segmentation-workflow-0.3.0+b1.tgz'),
        sha256: '',
        dryRun: true,
        ref: 'r.example:5000/kx/charts/example-threshold-segmentation-workflow:0.3.0_b1',
      },
    ]);
    expect(run.summary).toContain('(dry run)');
    expect(existsSync(join(ws, 'dry-out'))).toBe(false);
    expect(existsSync(join(ws, 'dry', 'threshold-segmentation-workflow', 'charts'))).toBe(false);
    expect(existsSync(join(ws, 'dry', 'threshold-segmentation-workflow', 'requirements.lock'))).toBe(false);
  });

  it('fails with an annotation on the bad file and line', async () => {
    const dir = join(ws, 'broken');
    cpSync(join(ws, 'extension', 'dag-installer-chart'), dir, { recursive: true });
    writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: broken\nversion: 1.2.3.4\n');
    const run = await runAction(
      'action-package-chart',
      { chart: 'broken', destination: 'broken-out' },
      { post: false, env: { GITHUB_WORKSPACE: ws } },
    );
    expect(run.exitCode).not.toBe(0);
    expect(run.stdout).toContain(
      `::error title=kaapana-ext,file=broken/Chart.yaml,line=3::validation: chart.metadata.version "1.2.3.4" is invalid`,
    );
    expect(run.summary).toContain('failed: ');
  });

  it.skipIf(!registryUp)('pushes to the local registry, then skips the existing tag', async () => {
    const push = `oci://${REGISTRY}/${uniqueName('kx-action-charts')}`;
    const inputs = {
      chart: 'extension/threshold-segmentation-workflow',
      destination: 'pushed',
      push,
      'skip-existing': 'true',
      username: 'ci',
      password: 's3cret-value',
    };
    const first = await runAction('action-package-chart', inputs, { post: false, env: { GITHUB_WORKSPACE: ws } });
    expect(first.exitCode, first.stdout).toBe(0);
    expect(first.stdout).toContain('::add-mask::s3cret-value');
    const p1 = (JSON.parse(first.outputs.packages ?? '[]') as Packaged[])[0] as Packaged;
    expect(p1.pushed).toBe('pushed');
    expect(p1.ref).toBe(`${push.slice('oci://'.length)}/example-threshold-segmentation-workflow:0.1.0`);
    expect(p1.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const second = await runAction('action-package-chart', inputs, { post: false, env: { GITHUB_WORKSPACE: ws } });
    const p2 = (JSON.parse(second.outputs.packages ?? '[]') as Packaged[])[0] as Packaged;
    expect(p2.pushed).toBe('skipped');
    expect(p2.digest).toBe(p1.digest);
  });

  describe('reference lint (build-images plan, registry)', () => {
    const repo = `${REGISTRY}/${uniqueName('kx16-refs')}`;
    const chart = 'refs/wf';
    beforeAll(() => {
      const dir = join(ws, chart);
      mkdirSync(dir, { recursive: true });
      cpSync(join(ws, 'extension', 'dag-installer-chart'), join(ws, 'refs', 'dag-installer-chart'), {
        recursive: true,
      });
      writeFileSync(
        join(dir, 'Chart.yaml'),
        'apiVersion: v2\nname: kx16-refs-workflow\nversion: "0.0.0"\nkeywords:\n  - kaapanaworkflow\n',
      );
      writeFileSync(
        join(dir, 'requirements.yaml'),
        'dependencies:\n  - name: dag-installer-chart\n    version: 0.1.0\n    repository: file://../dag-installer-chart\n',
      );
      writeFileSync(join(dir, 'values.yaml'), '---\nglobal:\n  image: "kx16-dag"\n  action: "copy"\n');
    });
    /** build-images' plan output for one pushed image. */
    const plan = (tag: string) =>
      JSON.stringify({
        images: [
          {
            name: 'kx16-dag',
            tag,
            ref: `${repo}/kx16-dag:${tag}`,
            tags: [`${repo}/kx16-dag:${tag}`],
            localOnly: false,
            versionRule: 'version input',
          },
        ],
        settings: { registry: repo, tagStyle: 'platform' },
      });

    it('fails before packaging when the plan tags the DAG image otherwise, with values.yaml file and line', async () => {
      const run = await runAction(
        'action-package-chart',
        { chart, destination: 'refs-out', images: plan('0.6.0') },
        { post: false, env: { GITHUB_WORKSPACE: ws } },
      );
      expect(run.exitCode).not.toBe(0);
      expect(run.stdout).toContain(
        `::error title=kaapana-ext,file=refs/wf/values.yaml,line=3::DAG image global.image of kx16-refs-workflow (tag = the dag-installer-chart version) resolves to ${repo}/kx16-dag:0.1.0, but this run tags that image 0.6.0 (version input)`,
      );
      expect(existsSync(join(ws, 'refs-out'))).toBe(false);
      // warn: reported, packaged
      const warned = await runAction(
        'action-package-chart',
        { chart, destination: 'refs-warn', images: plan('0.6.0'), 'reference-lint': 'warn', 'dry-run': 'true' },
        { post: false, env: { GITHUB_WORKSPACE: ws } },
      );
      expect(warned.exitCode, warned.stdout).toBe(0);
      expect(warned.stdout).toMatch(/::warning title=reference lint,file=refs\/wf\/values.yaml,line=3::DAG image/);
    });

    it('accepts the tag the plan builds, and an image the registry has (HEAD on its manifest)', async () => {
      const ok = await runAction(
        'action-package-chart',
        { chart, destination: 'refs-ok', images: plan('0.1.0'), 'dry-run': 'true' },
        { post: false, env: { GITHUB_WORKSPACE: ws } },
      );
      expect(ok.exitCode, ok.stdout).toBe(0);
      expect(ok.stdout).not.toContain('reference lint');
      // not built here, not in the registry: an error; pushed to the registry: accepted
      const absent = await runAction(
        'action-package-chart',
        { chart, destination: 'refs-absent', registry: repo, 'dry-run': 'true' },
        { post: false, env: { GITHUB_WORKSPACE: ws } },
      );
      expect(absent.exitCode).not.toBe(0);
      expect(absent.stdout).toContain(
        `::error title=kaapana-ext,file=refs/wf/values.yaml,line=3::DAG image global.image of kx16-refs-workflow (tag = the dag-installer-chart version) resolves to ${repo}/kx16-dag:0.1.0, which this run does not build and the registry does not have`,
      );
      const client = registryClient();
      const path = `${repo.slice(REGISTRY.length + 1)}/kx16-dag`;
      const config = await client.pushBlob(
        path,
        Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'),
      );
      const manifest = {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [],
      };
      await client.putManifest(path, '0.1.0', manifest.mediaType, JSON.stringify(manifest));
      const there = await runAction(
        'action-package-chart',
        { chart, destination: 'refs-there', registry: repo, 'dry-run': 'true' },
        { post: false, env: { GITHUB_WORKSPACE: ws } },
      );
      expect(there.exitCode, there.stdout).toBe(0);
      expect(there.stdout).not.toContain('reference lint');
    });
  });
});

// package-chart's reference lint (lintChartReferences) over one chart directory written here in both
// Kaapana generations' styles: the DAG image global.image at the tag dag-installer-chart pulls
// (0.6.0: its .Chart.Version, 0.0.0 = the packaged chart's version; 0.1.x:
// <abbr>_<platform>__<global.version>), image values the chart sets for its dependencies, a workflow
// chart without dag-installer-chart; build-images' plan output as package-chart receives it
// (parseBuiltImages), package-chart's settings (chartLintSettings) and the error/warn/off outcome.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  chartLintSettings,
  lintChartReferences,
  parseBuiltImages,
  referenceLintOutcome,
  type BuiltImage,
  type ChartReferenceLintOptions,
} from '../../src/references/lint.js';
import { writeTree } from '../support/write-tree.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kx16-chart-lint-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const REG = '127.0.0.1:5000/kx16';
const CHART_060: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: kx16-otsu-workflow\nversion: "0.0.0"\nkeywords:\n  - kaapanaworkflow\n',
  'requirements.yaml': 'dependencies:\n  - name: dag-installer-chart\n    version: 0.0.0\n',
  'values.yaml': '---\nglobal:\n  image: "kx16-dag-otsu"\n  action: "copy"\n',
};
const built = (name: string, tag: string, versionRule = 'version input'): BuiltImage => ({
  name,
  tag,
  ref: `${REG}/${name}:${tag}`,
  tags: [`${REG}/${name}:${tag}`],
  localOnly: false,
  versionRule,
});

async function lint(
  files: Record<string, string>,
  { noRegistry, ...opts }: Partial<ChartReferenceLintOptions> & { noRegistry?: true } = {},
) {
  await writeTree(dir, files);
  const findings = await lintChartReferences({
    chartDir: dir,
    images: [],
    ...(noRegistry ? {} : { registry: REG }),
    tagStyle: 'platform',
    exists: async () => false,
    ...opts,
  });
  return findings.map(
    (f) => `${f.level} ${f.file.replace(/^.*kx16-chart-lint-[^/]+\//, '')}:${f.line ?? ''} ${f.message}`,
  );
}

describe('lintChartReferences', () => {
  it('accepts the DAG image the run builds at the chart version (0.0.0)', async () => {
    expect(await lint(CHART_060, { images: [built('kx16-dag-otsu', '0.0.0')] })).toEqual([]);
  });

  it('reports a 0.0.0 chart whose DAG image the run tags otherwise, at the values.yaml line', async () => {
    const out = await lint(CHART_060, { images: [built('kx16-dag-otsu', '0.6.0')] });
    expect(out).toEqual([
      expect.stringMatching(
        /^error values\.yaml:3 DAG image global\.image of kx16-otsu-workflow \(tag = the chart version, as dag-installer-chart 0\.0\.0 is packaged with it\) resolves to 127\.0\.0\.1:5000\/kx16\/kx16-dag-otsu:0\.0\.0, but this run tags that image 0\.6\.0 \(version input\)/,
      ),
    ]);
    // packaged with version 0.6.0 (package-chart's version input), the same plan agrees
    expect(await lint(CHART_060, { images: [built('kx16-dag-otsu', '0.6.0')], chartVersion: '0.6.0' })).toEqual([]);
  });

  it('asks the registry for images the run does not build', async () => {
    expect(await lint(CHART_060, { exists: async (ref) => ref === `${REG}/kx16-dag-otsu:0.0.0` })).toEqual([]);
    expect(await lint(CHART_060)).toEqual([
      expect.stringMatching(/^error values\.yaml:3 .* which this run does not build and the registry does not have/),
    ]);
    expect(await lint(CHART_060, { exists: async () => undefined })).toEqual([
      expect.stringMatching(/^warning values\.yaml:3 .*the registry could not be asked/),
    ]);
  });

  it('checks the image values a chart sets for its dependencies, with their lines', async () => {
    const values =
      '---\nglobal:\n  image: "kx16-dag-otsu"\ndag-installer-chart:\n  helper:\n    image: "127.0.0.1:5000/kx16/kx16-helper:{KAAPANA_BUILD_VERSION}"\n  template: "{{ .Values.global.registry_url }}/x:1"\n';
    const out = await lint(
      { ...CHART_060, 'values.yaml': values },
      { images: [built('kx16-dag-otsu', '0.0.0'), built('kx16-helper', '0.5.0')], platformVersion: '0.6.0' },
    );
    expect(out).toEqual([
      expect.stringMatching(
        /^error values\.yaml:6 values dag-installer-chart\.helper\.image resolves to 127\.0\.0\.1:5000\/kx16\/kx16-helper:0\.6\.0, but this run tags that image 0\.5\.0/,
      ),
    ]);
  });

  it('checks a 0.1.x DAG image at <abbr>_<platform-version>__<global.version>', async () => {
    const files = {
      'Chart.yaml': 'apiVersion: v1\nname: kx16-wf\nversion: 0.1.0\nkeywords:\n  - kaapanaworkflow\n',
      'requirements.yaml': 'dependencies:\n  - name: dag-installer-chart\n    version: "0.1.0"\n',
      'values.yaml': 'global:\n  image: kx16-dag\n  version: "0.1.0"\n',
    };
    const kp = { tagStyle: 'kp' as const, platformVersion: '0.1.3', abbr: 'kp' };
    expect(await lint(files, { ...kp, images: [built('kx16-dag', 'kp_0.1.3__0.1.0')] })).toEqual([]);
    expect(await lint(files, { ...kp, images: [built('kx16-dag', 'kp_0.1.3__0.2.0')] })).toEqual([
      expect.stringMatching(
        /^error values\.yaml:2 .*kx16-dag:kp_0\.1\.3__0\.1\.0, but this run tags that image kp_0\.1\.3__0\.2\.0/,
      ),
    ]);
    expect(await lint(files, { tagStyle: 'kp' })).toEqual([
      'warning values.yaml:2 DAG image kx16-dag: set platform-version to check its 0.1.x tag',
    ]);
  });

  it('reports a workflow chart without dag-installer-chart, and a DAG image it cannot place without a registry', async () => {
    const noDag = {
      ...CHART_060,
      'requirements.yaml': 'dependencies:\n  - name: kaapana-library-chart\n    version: 0.0.0\n',
    };
    expect(await lint(noDag)).toEqual([
      'error Chart.yaml:5 workflow chart kx16-otsu-workflow (keyword kaapanaworkflow) has no dag-installer-chart dependency: nothing would install its DAG image',
    ]);
    expect(await lint(CHART_060, { noRegistry: true })).toEqual([
      'warning values.yaml:3 DAG image kx16-dag-otsu: set registry to check it',
    ]);
  });
});

describe('build-images plan as package-chart takes it', () => {
  it('parses the plan output and the images output, refuses anything else naming the input', () => {
    const plan = JSON.stringify({
      images: [{ ...built('a', '1.0.0'), dependsOn: [] }],
      findings: [],
      settings: { registry: REG, tagStyle: 'platform', buildVersion: '1.0.0' },
    });
    expect(parseBuiltImages(plan)).toMatchObject({
      images: [{ name: 'a', tag: '1.0.0' }],
      settings: { registry: REG },
    });
    expect(parseBuiltImages(JSON.stringify([built('a', '1.0.0')])).settings).toEqual({});
    expect(parseBuiltImages('')).toEqual({ images: [], settings: {} });
    expect(() => parseBuiltImages('{', 'input images')).toThrow(/^input images: not JSON/);
    expect(() => parseBuiltImages('{"images":[{"name":1}]}', 'input images')).toThrow(/input images: expected/);
  });

  it("takes package-chart's inputs where given, the plan's registry and versions where not", () => {
    const planned = { registry: REG, platformVersion: '0.6.0', buildVersion: '1.0.0', chartVersion: '9.9.9' };
    expect(chartLintSettings(planned, { tagStyle: 'platform', abbr: 'kp' })).toEqual({
      tagStyle: 'platform',
      abbr: 'kp',
      registry: REG,
      platformVersion: '0.6.0',
      buildVersion: '1.0.0',
    });
    expect(
      chartLintSettings(planned, {
        tagStyle: 'kp',
        abbr: 'kp',
        registry: 'r.io/x',
        platformVersion: '0.1.3',
        chartVersion: '0.2.0',
      }),
    ).toMatchObject({ registry: 'r.io/x', platformVersion: '0.1.3', chartVersion: '0.2.0' });
  });

  it('fails on errors only in mode error; warn reports them; off reports nothing', () => {
    const findings = [
      { level: 'error' as const, message: 'bad', file: 'values.yaml', line: 3 },
      { level: 'warning' as const, message: 'meh', file: 'values.yaml' },
    ];
    const failing = referenceLintOutcome(findings, 'error');
    expect(failing.warnings.map((f) => f.message)).toEqual(['meh']);
    expect(failing.error).toMatchObject({ message: 'bad', file: 'values.yaml', line: 3 });
    expect(referenceLintOutcome(findings, 'warn')).toEqual({ warnings: findings });
    expect(referenceLintOutcome(findings, 'off')).toEqual({ warnings: [] });
  });
});

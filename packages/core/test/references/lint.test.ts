// The reference lint over small extensions written here in both Kaapana generations' styles:
// operator image= (literal, f-strings with Kaapana's variables and same-file assignments), the DAG
// image of a workflow chart (0.6.0: dag-installer-chart's .Chart.Version, 0.0.0 = chart version;
// 0.1.x: <abbr>_<platform>__<global.version>), a workflow chart without dag-installer-chart, a DAG
// module not copied into the DAG image, and images that exist only in the registry.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverDockerfiles } from '../../src/images/discover.js';
import { planBuild } from '../../src/images/plan.js';
import { lintReferences, type ReferenceLintOptions } from '../../src/references/lint.js';
import { imageArguments, pythonImports, resolvePy, stringAssignments } from '../../src/references/python.js';
import { writeTree } from '../support/write-tree.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kx16-lint-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const tree = (files: Record<string, string>) => writeTree(dir, files);

const REG = '127.0.0.1:5000/kx16';
const OPERATOR_060 = `from kaapana.operators.KaapanaBaseOperator import KaapanaBaseOperator
from kaapana.blueprints.kaapana_global_variables import DEFAULT_REGISTRY, KAAPANA_BUILD_VERSION


class OtsuOperator(KaapanaBaseOperator):
    def __init__(self, dag, **kwargs):
        super().__init__(
            dag=dag,
            name="otsu",
            image=f"{DEFAULT_REGISTRY}/kx16-otsu:{KAAPANA_BUILD_VERSION}",
            image_pull_policy="IfNotPresent",
            **kwargs,
        )
`;
const EXT_060: Record<string, string> = {
  'processing-containers/otsu/Dockerfile': 'FROM alpine:3\nLABEL IMAGE="kx16-otsu"\n',
  'extension/docker/Dockerfile':
    'FROM local-only/base-installer:latest\nLABEL IMAGE="kx16-dag-otsu"\nCOPY files/dag_otsu.py /kaapana/tmp/dags/\nCOPY files/otsu/OtsuOperator.py /kaapana/tmp/dags/otsu/\n',
  'extension/docker/files/dag_otsu.py':
    'from airflow.models import DAG\nfrom kaapana.operators.GetInputOperator import GetInputOperator\nfrom otsu.OtsuOperator import OtsuOperator\n',
  'extension/docker/files/otsu/OtsuOperator.py': OPERATOR_060,
  'base/Dockerfile': 'FROM scratch\nLABEL REGISTRY="local-only"\nLABEL IMAGE="base-installer"\n',
  'extension/otsu-workflow/Chart.yaml':
    'apiVersion: v2\nname: kx16-otsu-workflow\nversion: "0.0.0"\nkeywords:\n  - kaapanaworkflow\n',
  'extension/otsu-workflow/requirements.yaml': 'dependencies:\n  - name: dag-installer-chart\n    version: 0.0.0\n',
  'extension/otsu-workflow/values.yaml': '---\nglobal:\n  image: "kx16-dag-otsu"\n  action: "copy"\n',
};

async function lint(
  extra: Partial<ReferenceLintOptions> & { imageVersions?: Record<string, string>; version?: string } = {},
) {
  const found = await discoverDockerfiles({ context: dir });
  const plan = await planBuild({
    context: dir,
    ...found,
    registry: REG,
    versions: { version: extra.version ?? '0.6.0', overrides: extra.imageVersions ?? { 'kx16-dag-otsu': '0.0.0' } },
    ...(extra.tagStyle ? { tagStyle: extra.tagStyle } : {}),
    ...(extra.platformVersion ? { platformVersion: extra.platformVersion } : {}),
  });
  const findings = await lintReferences({
    context: dir,
    plan,
    registry: REG,
    tagStyle: 'platform',
    platformVersion: '0.6.0',
    exists: async () => false,
    ...extra,
  });
  return findings.map(
    (f) =>
      `${f.level} ${relative(process.cwd(), join(process.cwd(), f.file)).replace(/^.*kx16-lint-[^/]+\//, '')}:${f.line ?? ''} ${f.message}`,
  );
}

describe('python reading', () => {
  it('finds image= strings and resolves Kaapana variables and same-file assignments', () => {
    const text =
      'VERSION = "1.0"\nTAG = f"kp_{VERSION}"\nx = Op(image=f"{DEFAULT_REGISTRY}/a:{TAG}")\n# image="commented"\ny = Op(image=some_var)\n';
    const args = imageArguments(text);
    expect(args.map((a) => [a.line, a.written, a.value?.f])).toEqual([
      [3, 'f"{DEFAULT_REGISTRY}/a:{TAG}"', true],
      [5, 'some_var', undefined],
    ]);
    expect(resolvePy(args[0]!.value!, { DEFAULT_REGISTRY: 'r.io/p' }, stringAssignments(text))).toEqual({
      ok: true,
      value: 'r.io/p/a:kp_1.0',
    });
    expect(resolvePy(args[0]!.value!, {}, stringAssignments(text))).toEqual({
      ok: false,
      unresolved: ['DEFAULT_REGISTRY'],
    });
  });

  it('reads imports, parenthesised ones too', () => {
    expect(pythonImports('import os, a.b as c\nfrom x.y import (\n  P,\n  Q as R,\n)\n')).toEqual([
      { line: 1, module: 'os', names: [] },
      { line: 1, module: 'a.b', names: [] },
      { line: 2, module: 'x.y', names: ['P', 'Q'] },
    ]);
  });
});

describe('lintReferences', () => {
  it('accepts a consistent 0.6.0 extension (processing image at the platform version, DAG image at 0.0.0)', async () => {
    await tree(EXT_060);
    expect(await lint()).toEqual([]);
  });

  it('catches a mismatched operator tag with file and line', async () => {
    await tree(EXT_060);
    const out = await lint({ version: '0.5.0' });
    expect(out).toEqual([
      expect.stringMatching(
        /^error extension\/docker\/files\/otsu\/OtsuOperator\.py:10 operator image f"\{DEFAULT_REGISTRY\}\/kx16-otsu:\{KAAPANA_BUILD_VERSION\}" resolves to 127\.0\.0\.1:5000\/kx16\/kx16-otsu:0\.6\.0, but this run tags that image 0\.5\.0 \(version input\)/,
      ),
    ]);
  });

  it('catches a 0.0.0 chart whose DAG image is not tagged 0.0.0', async () => {
    await tree(EXT_060);
    const out = await lint({ imageVersions: {} });
    expect(out).toEqual([
      expect.stringMatching(
        /^error extension\/otsu-workflow\/values\.yaml:3 DAG image global\.image of kx16-otsu-workflow .* resolves to 127\.0\.0\.1:5000\/kx16\/kx16-dag-otsu:0\.0\.0, but this run tags that image 0\.6\.0/,
      ),
    ]);
    // packaged with chart-version 0.6.0, the DAG image must be 0.6.0
    expect(await lint({ imageVersions: {}, chartVersion: '0.6.0' })).toEqual([]);
  });

  it('accepts a reference the registry has, refuses one it does not', async () => {
    await tree({ ...EXT_060, 'processing-containers/otsu/Dockerfile': 'FROM alpine:3\nLABEL IMAGE="kx16-other"\n' });
    expect(await lint({ exists: async (ref) => ref === `${REG}/kx16-otsu:0.6.0` })).toEqual([]);
    expect(await lint()).toEqual([
      expect.stringMatching(
        /^error .*OtsuOperator\.py:10 .* resolves to 127\.0\.0\.1:5000\/kx16\/kx16-otsu:0\.6\.0, which this run does not build and the registry does not have/,
      ),
    ]);
    expect(await lint({ exists: async () => undefined })).toEqual([
      expect.stringMatching(/^warning .*the registry could not be asked/),
    ]);
  });

  it('reports a workflow chart without dag-installer-chart and a DAG module not copied', async () => {
    await tree({
      ...EXT_060,
      'extension/otsu-workflow/requirements.yaml':
        'dependencies:\n  - name: kaapana-library-chart\n    version: 0.0.0\n',
      'extension/docker/Dockerfile':
        'FROM local-only/base-installer:latest\nLABEL IMAGE="kx16-dag-otsu"\nCOPY files/dag_otsu.py /kaapana/tmp/dags/\n',
    });
    expect(await lint()).toEqual([
      'error extension/otsu-workflow/Chart.yaml:5 workflow chart kx16-otsu-workflow (keyword kaapanaworkflow) has no dag-installer-chart dependency: nothing would install its DAG image',
      expect.stringMatching(
        /^error extension\/docker\/files\/dag_otsu\.py:3 dag_otsu\.py imports otsu\.OtsuOperator, but extension\/docker\/Dockerfile does not copy it into the dags directory \(\/kaapana\/tmp\/dags\/\)/,
      ),
    ]);
  });

  it('warns about references it cannot resolve, and checks 0.1.x tags', async () => {
    await tree({
      'processing-containers/otsu/Dockerfile': 'FROM alpine:3\nLABEL IMAGE="kx16-otsu"\nLABEL VERSION="0.1.0"\n',
      'extension/docker/files/otsu/OtsuOperator.py':
        'V = "0.1.0"\nclass O:\n    def __init__(self):\n        tag = f"{default_platform_abbr}_{default_platform_version}__{V}"\n        x(image=f"{default_registry}/kx16-otsu:{tag}")\n        y(image=f"{default_registry}/kx16-otsu:{unknown}")\n',
    });
    const out = await lint({ tagStyle: 'kp', platformVersion: '0.1.3', version: '', imageVersions: {} });
    expect(out).toEqual([
      expect.stringMatching(
        /^warning .*OtsuOperator\.py:6 image=f"\{default_registry\}\/kx16-otsu:\{unknown\}": \{unknown\} cannot be resolved statically/,
      ),
    ]);
  });
});

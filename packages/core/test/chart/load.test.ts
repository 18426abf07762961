// Loading charts: helm's pkg/chart/loader tests ported (frobnitz in its directory, v1, v2-with-reqs,
// archive, backslash archive, BOM, symlink, /dev/null, bad archives) plus validation cases from
// pkg/chart/metadata_test.go and errors that name the file and line.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KxError } from '@kaapana-ext/core';
import { loadArchive, loadChart, loadDir, loadFiles, tarEntries, helmGzip, type Chart } from '@kaapana-ext/core/chart';

const td = join(import.meta.dirname, 'testdata/helm/loader');
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'kx-chart-load-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function verifyChart(c: Chart): void {
  expect(c.metadata.name).not.toBe('');
  expect(c.templates).toHaveLength(1);
  expect(c.files).toHaveLength(6);
  expect(c.dependencies.map((d) => [d.metadata.name, d.metadata.version])).toEqual([
    ['alpine', '0.1.0'],
    ['mariner', '4.3.2'],
  ]);
}

function verifyDependencies(c: Chart): void {
  expect(c.metadata.dependencies?.map((d) => [d?.name, d?.version, d?.repository])).toEqual([
    ['alpine', '0.1.0', 'https://example.com/charts'],
    ['mariner', '4.3.2', 'https://example.com/charts'],
  ]);
}

function verifyLock(c: Chart): void {
  expect(c.lock?.dependencies).toHaveLength(2);
}

function verifyFrobnitz(c: Chart, name = 'frobnitz'): void {
  expect(c.metadata.name).toBe(name);
  expect(c.templates.map((t) => t.name)).toEqual(['templates/template.tpl']);
  expect(c.templates[0]?.data.length).toBeGreaterThan(0);
  expect(c.files).toHaveLength(6);
  expect(c.dependencies).toHaveLength(2);
  expect(c.metadata.dependencies).toHaveLength(2);
  expect(c.lock?.dependencies).toHaveLength(2);
  const alpine = c.dependencies.find((d) => d.metadata.name === 'alpine') as Chart;
  expect(alpine.templates.map((t) => t.name)).toEqual(['templates/alpine-pod.yaml']);
  expect(alpine.files).toHaveLength(1);
  expect(alpine.dependencies).toHaveLength(2);
}

describe('helm loader tests', () => {
  it('TestLoadDir', async () => {
    const c = await loadChart(join(td, 'frobnitz'));
    verifyFrobnitz(c);
    verifyChart(c);
    verifyDependencies(c);
    verifyLock(c);
  });

  it('TestLoadDirWithDevNull: irregular files do not load', async () => {
    const dir = join(tmp, 'frobnitz_with_dev_null');
    cpSync(join(td, 'frobnitz_with_dev_null'), dir, { recursive: true });
    symlinkSync('/dev/null', join(dir, 'null'));
    // helm's behaviour is ours with external symlinks allowed; by default the link itself is refused.
    await expect(loadDir(dir, { allowExternalSymlinks: true })).rejects.toThrow(
      /cannot load irregular file .*null as it has file mode type bits set/,
    );
    await expect(loadDir(dir)).rejects.toThrow(/symlink null points outside the chart to \/dev\/null/);
  });

  it('TestLoadDirWithSymlink: symlinks are followed', async () => {
    const dir = join(tmp, 'sym', 'frobnitz_with_symlink');
    mkdirSync(join(tmp, 'sym'));
    cpSync(join(td, 'frobnitz_with_symlink'), dir, { recursive: true });
    cpSync(join(td, 'LICENSE'), join(tmp, 'sym', 'LICENSE'));
    symlinkSync(join('..', 'LICENSE'), join(dir, 'LICENSE'));
    // helm follows the link and logs it; we do so only when allowed, with a warning.
    await expect(loadDir(dir)).rejects.toThrow(/symlink LICENSE points outside the chart/);
    const warnings: string[] = [];
    const c = await loadDir(dir, { allowExternalSymlinks: true, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      expect.stringMatching(/found symbolic link in path: .*LICENSE resolves to .*sym\/LICENSE, outside the chart/),
    ]);
    verifyFrobnitz(c);
    verifyChart(c);
    verifyDependencies(c);
    verifyLock(c);
  });

  it('TestLoadDirWithUTFBOM / TestLoadArchiveWithUTFBOM: BOMs are stripped', async () => {
    for (const c of [
      await loadDir(join(td, 'frobnitz_with_bom')),
      await loadArchive(join(td, 'frobnitz_with_bom.tgz')),
    ]) {
      verifyFrobnitz(c);
      for (const f of [...c.raw, ...c.templates, ...c.files])
        expect(f.data.subarray(0, 3).toString('hex')).not.toBe('efbbbf');
    }
  });

  it('TestLoadV1 / TestLoadFileV1: requirements.yaml and requirements.lock of apiVersion v1', async () => {
    for (const c of [await loadChart(join(td, 'frobnitz.v1')), await loadChart(join(td, 'frobnitz.v1.tgz'))]) {
      verifyDependencies(c);
      verifyLock(c);
      // v1: requirements.yaml is kept as a file; a Chart.lock is parsed but not kept.
      expect(c.files.map((f) => f.name)).toContain('requirements.yaml');
      expect(c.files.map((f) => f.name)).not.toContain('Chart.lock');
    }
  });

  it('TestLoadFile', async () => {
    const c = await loadChart(join(td, 'frobnitz-1.2.3.tgz'));
    verifyFrobnitz(c);
    verifyChart(c);
    verifyDependencies(c);
  });

  it('TestLoadFileBackslash', async () => {
    const c = await loadChart(join(td, 'frobnitz_backslash-1.2.3.tgz'));
    verifyFrobnitz(c, 'frobnitz_backslash');
    verifyChart(c);
    verifyDependencies(c);
  });

  it('TestLoadV2WithReqs: requirements.yaml merged into a v2 chart and not kept as a file', async () => {
    const c = await loadChart(join(td, 'frobnitz.v2.reqs'));
    verifyDependencies(c);
    expect(c.lock).toBeUndefined();
    expect(c.files.map((f) => f.name)).not.toContain('requirements.yaml');
  });

  it('TestLoadFiles_BadCases: only requirements.lock', async () => {
    await expect(loadFiles([{ name: 'requirements.lock', data: Buffer.from('') }])).rejects.toThrow(
      'validation: chart.metadata.apiVersion is required',
    );
  });

  it('ignores charts/_ignore_me and the top .helmignore entries (ignore/)', async () => {
    const c = await loadDir(join(td, 'frobnitz'));
    const names = c.files.map((f) => f.name);
    expect(names).not.toContain('ignore/me.txt');
    expect(names.some((n) => n.includes('_ignore_me'))).toBe(false);
  });

  it('keeps helm load order (lexical walk)', async () => {
    const c = await loadDir(join(td, 'frobnitz'));
    expect(c.files.map((f) => f.name)).toEqual([
      '.helmignore',
      'INSTALL.txt',
      'LICENSE',
      'README.md',
      'docs/README.md',
      'icon.svg',
    ]);
  });
});

describe('TestLoadInvalidArchive', () => {
  const cases: [string, string][] = [
    ['../../malformed-helm-test', 'chart illegally references parent directory'],
    ['/foo/../../malformed-helm-test', 'chart illegally references parent directory'],
    ['/../../malformed-helm-test', 'chart illegally references parent directory'],
    ['./../../malformed-helm-test', 'chart illegally references parent directory'],
    ['./.', 'chart illegally contains content outside the base directory'],
    ['/./.', 'chart illegally contains content outside the base directory'],
    ['missing-leading-slash', 'chart illegally contains content outside the base directory'],
    ['/missing-leading-slash', 'Chart.yaml file is missing'],
    ['//foo', 'chart illegally contains absolute paths'],
    ['///foo', 'chart illegally contains absolute paths'],
    ['\\\\foo', 'chart illegally contains absolute paths'],
    ['\\..\\..\\foo', 'chart illegally references parent directory'],
    ['\\.\\c:\\\\foo', 'chart contains illegally named files'],
    ['/./c://foo', 'chart contains illegally named files'],
    ['\\\\?\\Some\\windows\\magic', 'chart illegally contains absolute paths'],
    ['/Chart.yaml', 'validation: chart.metadata.name is required'],
    ['files/whatever.yaml', 'Chart.yaml file is missing'],
    ['c:\\Chart.yaml', 'validation: chart.metadata.name is required'],
  ];
  it.each(cases)('%s → %s', async (internal, message) => {
    const tgz = helmGzip(await tarEntries([{ name: internal, data: Buffer.from('hello: world') }], 0));
    await expect(loadArchive(tgz)).rejects.toThrow(message);
  });

  it('rejects non-gzip input, naming the file', async () => {
    const f = join(tmp, 'values.yaml');
    writeFileSync(f, 'a: b\n');
    await expect(loadArchive(f)).rejects.toThrow(/seems to be a YAML file, but expected a gzipped archive/);
  });
});

describe('validation (helm metadata_test.go) with file and line', () => {
  const chartYaml = (body: string) => Buffer.from(body);
  const cases: [string, string, number | undefined][] = [
    ['apiVersion: v2\nversion: 1.0.0\n', 'validation: chart.metadata.name is required', undefined],
    ['apiVersion: v2\nname: "."\nversion: 1.0.0\n', 'validation: chart.metadata.name "." is not allowed', 2],
    ['apiVersion: v2\nname: "a/../b"\nversion: 1.0.0\n', 'validation: chart.metadata.name "a/../b" is invalid', 2],
    ['apiVersion: v2\nname: x\n', 'validation: chart.metadata.version is required', undefined],
    ['apiVersion: v2\nname: x\nversion: 1.2.3.4\n', 'validation: chart.metadata.version "1.2.3.4" is invalid', 3],
    [
      'apiVersion: v2\nname: x\nversion: 1.1.3-023658\n',
      'validation: chart.metadata.version "1.1.3-023658" is invalid',
      3,
    ],
    [
      'apiVersion: v2\nname: x\nversion: 1.0.0\ntype: foo\n',
      'validation: chart.metadata.type must be application or library',
      4,
    ],
    [
      'apiVersion: v2\nname: x\nversion: 1.0.0\nmaintainers:\n- null\n',
      'validation: maintainers must not contain empty or null nodes',
      4,
    ],
    [
      'apiVersion: v2\nname: x\nversion: 1.0.0\ndependencies:\n- null\n',
      'validation: dependencies must not contain empty or null nodes',
      5,
    ],
    [
      'apiVersion: v2\nname: x\nversion: 1.0.0\ndependencies:\n- name: a\n  alias: "bad alias"\n',
      'validation: dependency "a" has disallowed characters in the alias',
      6,
    ],
    [
      'apiVersion: v2\nname: x\nversion: 1.0.0\ndependencies:\n- name: a\n- name: b\n  alias: a\n',
      'validation: more than one dependency with name or alias "a"',
      6,
    ],
    [
      'apiVersion: v2\nname: x\nversion: 1.0.0\nkeywords: {a: b}\n',
      'cannot load Chart.yaml: field "keywords" must be a list',
      4,
    ],
    ['apiVersion: v2\nname: x\n  version: 1.0.0\n', 'cannot load Chart.yaml: error converting YAML to JSON', 2],
  ];
  it.each(cases)('%j → %s', async (body, message, line) => {
    let err: unknown;
    try {
      await loadFiles([{ name: 'Chart.yaml', data: chartYaml(body) }], 'mychart');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KxError);
    expect((err as KxError).message).toContain(message);
    expect((err as KxError).file).toBe('mychart/Chart.yaml');
    if (line !== undefined) expect((err as KxError).line).toBe(line);
  });

  it('sanitises strings and coerces YAML numbers like sigs.k8s.io/yaml', async () => {
    const c = await loadFiles([
      {
        name: 'Chart.yaml',
        data: chartYaml('apiVersion: v2\nname: x\nversion: 1.0\nappVersion: 1.10\ndescription: "a\\tb\\u0007c"\n'),
      },
    ]);
    expect(c.metadata.version).toBe('1');
    expect(c.metadata.appVersion).toBe('1.1');
    expect(c.metadata.description).toBe('a bc');
  });

  it('defaults apiVersion to v1 and allows a directory name different from the chart name', async () => {
    const c = await loadDir(join(import.meta.dirname, 'testdata/helm/testcharts/issue1979'));
    expect(c.metadata.apiVersion).toBe('v1');
    expect(c.metadata.name).toBe('alpine');
  });

  it('plain files in charts/ are subcharts without Chart.yaml (helm: error unpacking subchart)', async () => {
    const dir = join(tmp, 'plainfile');
    mkdirSync(join(dir, 'charts'), { recursive: true });
    writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: plain\nversion: 0.1.0\n');
    writeFileSync(join(dir, 'charts', 'README.md'), 'hi');
    await expect(loadDir(dir)).rejects.toThrow(
      'error unpacking subchart README.md in plain: Chart.yaml file is missing',
    );
  });

  it('an archive written by system tar loads too', async () => {
    const out = join(tmp, 'alb.tgz');
    execFileSync('tar', ['-czf', out, '-C', td, 'albatross']);
    const c = await loadArchive(out);
    expect(c.metadata.name).toBe('albatross');
  });
});

// Dependency update: file:// (the Kaapana seed chart with its dag-installer-chart), nested charts,
// an http:// repository served from 127.0.0.1, Kaapana name-only dependencies via search paths,
// lock files with helm's digest, and the failure cases (nothing changed on error).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KxError } from '@kaapana-ext/core';
import {
  loadArchive,
  loadDir,
  lockDigest,
  packageChart,
  parseLock,
  updateDependencies,
  writeChartArchive,
} from '@kaapana-ext/core/chart';

const data = join(import.meta.dirname, 'testdata');
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'kx-chart-deps-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copyKaapana(name: string): string {
  const root = join(tmp, name);
  cpSync(join(data, 'kaapana'), root, { recursive: true });
  return root;
}

function writeChart(dir: string, yaml: string, files: Record<string, string> = {}): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), yaml);
  for (const [n, body] of Object.entries(files)) {
    mkdirSync(join(dir, n, '..'), { recursive: true });
    writeFileSync(join(dir, n), body);
  }
}

describe('seed: example-threshold-segmentation-workflow with a file:// dag-installer-chart', () => {
  it('dep up + package gives the archive helm would', async () => {
    const root = copyKaapana('seed');
    const chartDir = join(root, 'threshold-segmentation-workflow');
    const r = await packageChart(chartDir, {
      destination: join(root, 'out'),
      dependencyUpdate: true,
      dependencies: { now: new Date('2024-01-02T03:04:05Z') },
    });
    expect(r.name).toBe('example-threshold-segmentation-workflow');
    expect(r.path).toBe(join(root, 'out', 'example-threshold-segmentation-workflow-0.1.0.tgz'));

    // The dependency archive written by `dep up`.
    expect(readdirSync(join(chartDir, 'charts'))).toEqual(['dag-installer-chart-0.1.0.tgz']);
    const dep = join(chartDir, 'charts', 'dag-installer-chart-0.1.0.tgz');
    expect(execFileSync('tar', ['-tzf', dep], { encoding: 'utf8' }).trim().split('\n')).toEqual([
      'dag-installer-chart/Chart.yaml',
      'dag-installer-chart/values.yaml',
      'dag-installer-chart/templates/delete_hook.yaml',
      'dag-installer-chart/templates/job.yaml',
    ]);
    expect(execFileSync('tar', ['-xzOf', dep, 'dag-installer-chart/Chart.yaml'], { encoding: 'utf8' })).toBe(
      'apiVersion: v1\nappVersion: 0.1.0\ndescription: Dag installer\nname: dag-installer-chart\nversion: 0.1.0\n',
    );

    // The lock (apiVersion v1 → requirements.lock) with helm's digest.
    const lockText = readFileSync(join(chartDir, 'requirements.lock'), 'utf8');
    expect(lockText).toBe(
      'dependencies:\n- name: dag-installer-chart\n  repository: file://../dag-installer-chart/\n  version: 0.1.0\n' +
        `digest: ${lockDigest([{ name: 'dag-installer-chart', version: '0.1.0', repository: 'file://../dag-installer-chart/' }], [{ name: 'dag-installer-chart', repository: 'file://../dag-installer-chart/', version: '0.1.0' }])}\n` +
        'generated: "2024-01-02T03:04:05Z"\n',
    );

    // The package: entry list, as helm lays it out (subchart expanded).
    expect(execFileSync('tar', ['-tzf', r.path], { encoding: 'utf8' }).trim().split('\n')).toEqual([
      'example-threshold-segmentation-workflow/Chart.yaml',
      'example-threshold-segmentation-workflow/values.yaml',
      'example-threshold-segmentation-workflow/requirements.lock',
      'example-threshold-segmentation-workflow/requirements.yaml',
      'example-threshold-segmentation-workflow/charts/dag-installer-chart/Chart.yaml',
      'example-threshold-segmentation-workflow/charts/dag-installer-chart/values.yaml',
      'example-threshold-segmentation-workflow/charts/dag-installer-chart/templates/delete_hook.yaml',
      'example-threshold-segmentation-workflow/charts/dag-installer-chart/templates/job.yaml',
    ]);
    const md = parse(
      execFileSync('tar', ['-xzOf', r.path, 'example-threshold-segmentation-workflow/Chart.yaml'], {
        encoding: 'utf8',
      }),
    );
    expect(md).toEqual({
      apiVersion: 'v1',
      appVersion: '0.1.0',
      description: 'thresholding segmentation workflow for Otsus method',
      keywords: ['kaapanaworkflow', 'kaapanaexperimental'],
      name: 'example-threshold-segmentation-workflow',
      version: '0.1.0',
    });
    const back = await loadArchive(r.path);
    expect(back.dependencies.map((d) => d.metadata.name)).toEqual(['dag-installer-chart']);

    // A rerun keeps the lock (same digest) and produces the same bytes.
    const again = await packageChart(chartDir, { destination: join(root, 'out2'), dependencyUpdate: true });
    expect(again.dependencyUpdate?.lockWritten).toBe(false);
    expect(readFileSync(join(chartDir, 'requirements.lock'), 'utf8')).toBe(lockText);
    expect(again.sha256).toBe(r.sha256);
  });

  it('two fresh checkouts give the same lock and the same package bytes', async () => {
    const sums: string[] = [];
    for (const name of ['fresh-a', 'fresh-b']) {
      const root = copyKaapana(name);
      const r = await packageChart(join(root, 'threshold-segmentation-workflow'), {
        destination: join(root, 'out'),
        dependencyUpdate: true,
      });
      expect(readFileSync(join(root, 'threshold-segmentation-workflow', 'requirements.lock'), 'utf8')).toContain(
        'generated: "1970-01-01T00:00:00Z"',
      );
      sums.push(r.sha256);
    }
    expect(sums[0]).toBe(sums[1]);
  });
});

describe('file:// dependencies', () => {
  it('packages nested charts with their own charts/ (not updated recursively)', async () => {
    const root = join(tmp, 'nested');
    writeChart(join(root, 'leaf'), 'apiVersion: v2\nname: leaf\nversion: 1.0.0\n');
    writeChart(
      join(root, 'mid'),
      'apiVersion: v2\nname: mid\nversion: 2.1.0\ndependencies:\n- name: leaf\n  version: ^1\n  repository: file://../leaf\n',
    );
    await updateDependencies(join(root, 'mid'));
    writeChart(
      join(root, 'top'),
      'apiVersion: v2\nname: top\nversion: 0.1.0\ndependencies:\n- name: mid\n  version: ">= 2.0, < 3.0"\n  repository: file://../mid\n',
    );
    const res = await updateDependencies(join(root, 'top'));
    expect(res.dependencies.map((d) => [d.name, d.version])).toEqual([['mid', '2.1.0']]);
    const mid = await loadArchive(join(root, 'top', 'charts', 'mid-2.1.0.tgz'));
    expect(mid.dependencies.map((d) => d.metadata.name)).toEqual(['leaf']);
    const lock = parseLock(readFileSync(join(root, 'top', 'Chart.lock'), 'utf8'), 'Chart.lock').value;
    expect(lock.dependencies).toEqual([{ name: 'mid', repository: 'file://../mid', version: '2.1.0' }]);
    const pkg = await packageChart(join(root, 'top'), { destination: join(root, 'out') });
    const names = execFileSync('tar', ['-tzf', pkg.path], { encoding: 'utf8' });
    expect(names).toContain('top/charts/mid/charts/leaf/Chart.yaml');
    expect(names).toContain('top/Chart.lock');
  });

  it('a missing directory names the file and line of the dependency', async () => {
    const root = join(tmp, 'missing');
    writeChart(
      root,
      'apiVersion: v2\nname: m\nversion: 0.1.0\ndependencies:\n- name: nope\n  version: 1.0.0\n  repository: file://../does-not-exist\n',
    );
    const err = await updateDependencies(root).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KxError);
    expect((err as KxError).message).toMatch(/directory .*does-not-exist not found/);
    expect((err as KxError).file).toBe(join(root, 'Chart.yaml'));
    expect((err as KxError).line).toBe(7);
  });

  it('no matching version: helm\'s "can\'t get a valid version" and charts/ untouched', async () => {
    const root = join(tmp, 'nomatch');
    writeChart(join(root, 'lib'), 'apiVersion: v2\nname: lib\nversion: 1.0.0\n');
    writeChart(
      join(root, 'app'),
      'apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: lib\n  version: ~2.0\n  repository: file://../lib\n',
      {
        'charts/old-0.1.0.tgz': '',
      },
    );
    const old = await writeChartArchive(await loadDir(join(root, 'lib')));
    writeFileSync(join(root, 'app', 'charts', 'old-0.1.0.tgz'), old);
    await expect(updateDependencies(join(root, 'app'))).rejects.toThrow(
      `can't get a valid version for 1 subchart(s): "lib" (repository "file://../lib", version "~2.0")`,
    );
    expect(readdirSync(join(root, 'app', 'charts'))).toEqual(['old-0.1.0.tgz']);
    expect(existsSync(join(root, 'app', 'Chart.lock'))).toBe(false);
  });

  it('an invalid constraint names its line', async () => {
    const root = join(tmp, 'badconstraint');
    writeChart(
      root,
      'apiVersion: v2\nname: b\nversion: 0.1.0\ndependencies:\n- name: x\n  repository: file://.\n  version: ">>1"\n',
    );
    const err = (await updateDependencies(root).catch((e: unknown) => e)) as KxError;
    expect(err.message).toContain('dependency "x" has an invalid version/constraint format');
    expect(err.line).toBe(7);
  });

  it('removes stale chart archives after a successful update', async () => {
    const root = join(tmp, 'stale');
    writeChart(join(root, 'lib'), 'apiVersion: v2\nname: lib\nversion: 1.0.0\n');
    writeChart(
      join(root, 'app'),
      'apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: lib\n  version: 1.0.0\n  repository: file://../lib\n',
    );
    mkdirSync(join(root, 'app', 'charts'));
    const stale = await writeChartArchive(await loadDir(join(root, 'lib')));
    writeFileSync(join(root, 'app', 'charts', 'lib-0.9.0.tgz'), stale);
    const res = await updateDependencies(join(root, 'app'));
    expect(res.removed).toEqual([join(root, 'app', 'charts', 'lib-0.9.0.tgz')]);
    expect(readdirSync(join(root, 'app', 'charts'))).toEqual(['lib-1.0.0.tgz']);
  });

  it('no dependencies: no lock, nothing written', async () => {
    const root = join(tmp, 'nodeps');
    writeChart(root, 'apiVersion: v2\nname: n\nversion: 0.1.0\n');
    const res = await updateDependencies(root);
    expect(res.lockWritten).toBe(false);
    expect(existsSync(join(root, 'Chart.lock'))).toBe(false);
  });
});

describe('Kaapana ≥0.2 name-only dependencies (chart-search-paths)', () => {
  it("resolves by name; version 0.0.0 means the chart's own version", async () => {
    const root = join(tmp, 'kaapana06');
    cpSync(
      join('/work/shared/reference/kaapana/v0.6.0/services/utils/dag-installer-chart'),
      join(root, 'services', 'dag-installer-chart'),
      { recursive: true },
    );
    writeChart(
      join(root, 'workflow'),
      'apiVersion: v1\nname: otsus-method-workflow\nversion: 0.6.0\nkeywords:\n- kaapanaworkflow\n',
      {
        'requirements.yaml': 'dependencies:\n- name: dag-installer-chart\n  version: 0.0.0\n',
        'values.yaml': 'global:\n  image: otsus-method\n',
      },
    );
    const res = await updateDependencies(join(root, 'workflow'), { searchPaths: [join(root, 'services')] });
    expect(res.dependencies).toMatchObject([{ name: 'dag-installer-chart', version: '0.6.0', source: 'search-path' }]);
    const sub = await loadArchive(join(root, 'workflow', 'charts', 'dag-installer-chart-0.6.0.tgz'));
    expect(sub.metadata.version).toBe('0.6.0');
    const pkg = await packageChart(join(root, 'workflow'), { destination: join(root, 'out') });
    expect(pkg.path.endsWith('otsus-method-workflow-0.6.0.tgz')).toBe(true);
  });

  it('a name that is nowhere is an error naming the dependency line', async () => {
    const root = join(tmp, 'kaapana-missing');
    writeChart(root, 'apiVersion: v2\nname: c\nversion: 0.6.0\ndependencies:\n- name: ghost\n  version: 0.0.0\n');
    const err = (await updateDependencies(root, { searchPaths: [join(tmp, 'nested')] }).catch(
      (e: unknown) => e,
    )) as KxError;
    expect(err.message).toContain('dependency "ghost" not found in chart-search-paths');
    expect(err.line).toBe(5);
  });
});

describe('http:// repositories', () => {
  let server: Server;
  let base: string;
  let requests: string[] = [];
  beforeAll(async () => {
    const repoDir = join(tmp, 'repo');
    mkdirSync(repoDir);
    const versions = ['1.0.0', '1.2.0', '1.10.0', '2.0.0'];
    for (const v of versions) {
      const dir = join(tmp, 'repo-src', v);
      writeChart(dir, `apiVersion: v2\nname: remote\nversion: ${v}\n`, { 'templates/cm.yaml': `version: ${v}\n` });
      writeFileSync(join(repoDir, `remote-${v}.tgz`), await writeChartArchive(await loadDir(dir)));
    }
    const index =
      'apiVersion: v1\nentries:\n  remote:\n' +
      versions
        .map(
          (v) =>
            `  - name: remote\n    version: ${v}\n    apiVersion: v2\n    urls:\n    - ${v === '1.2.0' ? 'sub/../' : ''}remote-${v}.tgz\n`,
        )
        .join('') +
      'generated: "2024-01-01T00:00:00Z"\n';
    writeFileSync(join(repoDir, 'index.yaml'), index);
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const file = join(repoDir, decodeURIComponent((req.url ?? '/').replace(/^\/charts\//, '')));
      if (!existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200).end(readFileSync(file));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as { port: number };
    base = `http://127.0.0.1:${addr.port}/charts`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('picks the newest version matching the constraint and downloads it as-is', async () => {
    requests = [];
    const root = join(tmp, 'httpapp');
    writeChart(
      root,
      `apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: remote\n  version: ^1.0.0\n  repository: ${base}\n`,
    );
    const res = await updateDependencies(root);
    expect(res.dependencies).toMatchObject([{ name: 'remote', version: '1.10.0', source: 'http' }]);
    expect(
      readFileSync(join(root, 'charts', 'remote-1.10.0.tgz')).equals(
        readFileSync(join(tmp, 'repo', 'remote-1.10.0.tgz')),
      ),
    ).toBe(true);
    expect(requests).toEqual(['/charts/index.yaml', '/charts/remote-1.10.0.tgz']);
    const lock = parseLock(readFileSync(join(root, 'Chart.lock'), 'utf8'), 'Chart.lock').value;
    expect(lock.dependencies).toEqual([{ name: 'remote', repository: base, version: '1.10.0' }]);
  });

  it('resolves relative URLs against the repository URL', async () => {
    const root = join(tmp, 'httprel');
    writeChart(
      root,
      `apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: remote\n  version: ~1.2\n  repository: ${base}/\n`,
    );
    const res = await updateDependencies(root);
    expect(res.dependencies[0]?.version).toBe('1.2.0');
  });

  it("no matching version in the index is helm's error", async () => {
    const root = join(tmp, 'httpnone');
    writeChart(
      root,
      `apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: remote\n  version: ">= 3.0"\n  repository: ${base}\n`,
    );
    await expect(updateDependencies(root)).rejects.toThrow(/can't get a valid version for 1 subchart\(s\): "remote"/);
  });

  it('an unreachable repository is a clear error', async () => {
    const root = join(tmp, 'httpdown');
    writeChart(
      root,
      'apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: remote\n  version: 1.0.0\n  repository: http://127.0.0.1:9/charts\n',
    );
    await expect(updateDependencies(root, { http: { retry: { attempts: 1 } } })).rejects.toThrow(
      /not a valid chart repository or cannot be reached/,
    );
  });

  it('named repositories are not supported, with a clear message', async () => {
    const root = join(tmp, 'named');
    writeChart(
      root,
      'apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n- name: remote\n  version: 1.0.0\n  repository: "@stable"\n',
    );
    await expect(updateDependencies(root)).rejects.toThrow(/no repository definition for @stable/);
  });
});

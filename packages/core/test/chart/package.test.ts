// Packaging: the archive layout helm writes (entries, order, Chart.yaml re-serialisation, gzip
// header), determinism, overrides, CheckDependencies, lock digests of helm's own fixtures, and a
// second, independent reader (system tar + YAML parse) for every archive we write.
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  archiveEntries,
  loadArchive,
  loadArchiveFiles,
  loadChart,
  loadDir,
  lockDigest,
  legacyLockDigest,
  marshalGoYaml,
  packageChart,
  parseLock,
  parseMetadata,
  serializeMetadata,
  tarEntries,
} from '@kaapana-ext/core/chart';
import { gunzipSync } from 'node:zlib';

const helm = join(import.meta.dirname, 'testdata/helm');
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'kx-chart-pkg-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The independent reader: GNU tar lists the archive, `yaml` parses the embedded Chart.yaml. */
function systemTarList(tgz: string): string[] {
  return execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).trim().split('\n');
}
function systemTarRead(tgz: string, entry: string): string {
  return execFileSync('tar', ['-xzOf', tgz, entry], { encoding: 'utf8' });
}

describe('Chart.yaml re-serialisation (sigs.k8s.io/yaml)', () => {
  it('reproduces Chart.yaml files written by helm byte for byte', async () => {
    const files = await loadArchiveFiles(
      readFileSync(join(helm, 'action/chart-with-compressed-dependencies-2.1.8.tgz')),
    );
    const chartYamls = files.filter((f) => f.name.endsWith('Chart.yaml'));
    expect(chartYamls.length).toBeGreaterThanOrEqual(2);
    for (const f of chartYamls) {
      const md = parseMetadata(f.data.toString('utf8'), f.name).value;
      expect(serializeMetadata(md)).toBe(f.data.toString('utf8'));
    }
  });

  it('sorts keys, quotes what YAML 1.1 would misread, folds long lines at column 80, drops v1 dependencies', () => {
    const out = serializeMetadata({
      apiVersion: 'v1',
      name: 'x',
      version: '1.0',
      appVersion: 'true',
      keywords: ['yes', '1.2.3', 'a: b'],
      description: `${'word '.repeat(20)}end`,
      dependencies: [{ name: 'd', repository: '' }],
      annotations: { note: 'line1\nline2' },
    });
    expect(out).toBe(
      'annotations:\n  note: |-\n    line1\n    line2\napiVersion: v1\nappVersion: "true"\n' +
        'description: word word word word word word word word word word word word word word\n  word word word word word word end\n' +
        'keywords:\n- "yes"\n- 1.2.3\n- \'a: b\'\nname: x\nversion: "1.0"\n',
    );
  });

  it('writes v2 dependencies with name and repository always present', () => {
    const out = serializeMetadata({
      apiVersion: 'v2',
      name: 'x',
      version: '1.0.0',
      dependencies: [{ name: 'd', repository: '', version: '>= 1.0' }],
    });
    expect(out).toBe(
      'apiVersion: v2\ndependencies:\n- name: d\n  repository: ""\n  version: \'>= 1.0\'\nname: x\nversion: 1.0.0\n',
    );
  });

  it('empty collections are flow style', () => {
    expect(marshalGoYaml({ dependencies: [] })).toBe('dependencies: []\n');
  });
});

describe('tar stream (Go archive/tar as helm uses it)', () => {
  it('rebuilds the uncompressed tar of a helm-written archive byte for byte', async () => {
    const tar = gunzipSync(readFileSync(join(helm, 'action/chart-with-compressed-dependencies-2.1.8.tgz')));
    const entries: { name: string; data: Buffer }[] = [];
    let mtime = 0;
    for (let off = 0; off + 512 <= tar.length;) {
      const h = tar.subarray(off, off + 512);
      if (h.every((b) => b === 0)) break;
      const size = parseInt(h.toString('latin1', 124, 136), 8);
      mtime = parseInt(h.toString('latin1', 136, 148), 8);
      const prefix = h.toString('latin1', 345, 500).replace(/\0.*$/s, '');
      const name = h.toString('latin1', 0, 100).replace(/\0.*$/s, '');
      entries.push({
        name: prefix ? `${prefix}/${name}` : name,
        data: Buffer.from(tar.subarray(off + 512, off + 512 + size)),
      });
      off += 512 + Math.ceil(size / 512) * 512;
    }
    expect(entries).toHaveLength(24);
    expect((await tarEntries(entries, mtime)).equals(tar)).toBe(true);
  });

  it('splits long names into the USTAR prefix as Go does', async () => {
    const name = `${'d'.repeat(60)}/${'e'.repeat(60)}/${'f'.repeat(30)}.yaml`;
    const tar = await tarEntries([{ name, data: Buffer.from('x') }], 0);
    expect(tar.toString('latin1', 345, 345 + 121)).toBe(`${'d'.repeat(60)}/${'e'.repeat(60)}`);
    expect(tar.toString('latin1', 0, 35)).toBe(`${'f'.repeat(30)}.yaml`);
    expect(execFileSync('tar', ['-t'], { input: tar, encoding: 'utf8' }).trim()).toBe(name);
  });
});

describe('lock digest (helm resolver.HashReq)', () => {
  it('reproduces the digest of import-values-from-enabled-subchart/parent-chart/Chart.lock', async () => {
    const c = await loadDir(join(helm, 'chartutil/import-values-from-enabled-subchart/parent-chart'));
    expect(lockDigest(c.metadata.dependencies, c.lock?.dependencies ?? [])).toBe(c.lock?.digest);
  });

  it("chart-with-subchart-update: the lock is out of sync with Chart.yaml, as helm's test expects", async () => {
    const c = await loadDir(join(helm, 'testcharts/chart-with-subchart-update'));
    const locked = c.lock?.dependencies ?? [];
    // Digest of the dependencies the lock was generated for …
    expect(lockDigest(locked, locked)).toBe(c.lock?.digest);
    // … which differ from the current Chart.yaml (repository changed), so an update must rewrite it.
    expect(lockDigest(c.metadata.dependencies, locked)).not.toBe(c.lock?.digest);
  });

  it('reproduces the legacy (helm 2) digest of issue-7233/requirements.lock', async () => {
    const dir = join(helm, 'testcharts/issue-7233');
    const c = await loadDir(dir);
    const lock = parseLock(readFileSync(join(dir, 'requirements.lock'), 'utf8'), 'requirements.lock').value;
    expect(legacyLockDigest(c.metadata.dependencies)).toBe(lock.digest);
  });
});

describe('packageChart', () => {
  it('writes frobnitz as helm does: entries, order, ignore rules, v1 Chart.yaml without dependencies', async () => {
    const r = await packageChart(join(helm, 'loader/frobnitz'), { destination: join(tmp, 'out') });
    expect(r.path).toBe(join(tmp, 'out', 'frobnitz-1.2.3.tgz'));
    const names = systemTarList(r.path);
    expect(names.slice(0, 10)).toEqual([
      'frobnitz/Chart.yaml',
      'frobnitz/values.yaml',
      'frobnitz/templates/template.tpl',
      'frobnitz/.helmignore',
      'frobnitz/INSTALL.txt',
      'frobnitz/LICENSE',
      'frobnitz/README.md',
      'frobnitz/docs/README.md',
      'frobnitz/icon.svg',
      'frobnitz/charts/alpine/Chart.yaml',
    ]);
    expect(names).not.toContain('frobnitz/ignore/me.txt');
    expect(names).not.toContain('frobnitz/Chart.lock');
    expect(names.some((n) => n.endsWith('/'))).toBe(false);
    expect(names).toContain('frobnitz/charts/mariner/Chart.yaml');
    expect(names).toContain('frobnitz/charts/alpine/charts/mast2/Chart.yaml');
    const md = parse(systemTarRead(r.path, 'frobnitz/Chart.yaml')) as Record<string, unknown>;
    expect(md.name).toBe('frobnitz');
    expect(md.dependencies).toBeUndefined();
    const back = await loadArchive(r.path);
    expect(back.dependencies.map((d) => d.metadata.name)).toEqual(['alpine', 'mariner']);
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("writes helm's gzip header and is deterministic", async () => {
    const a = await packageChart(join(helm, 'loader/frobnitz'), { destination: join(tmp, 'd1') });
    const b = await packageChart(join(helm, 'loader/frobnitz'), { destination: join(tmp, 'd2') });
    const bytes = readFileSync(a.path);
    expect(bytes.equals(readFileSync(b.path))).toBe(true);
    expect(a.sha256).toBe(b.sha256);
    expect(bytes.subarray(0, 10).toString('hex')).toBe('1f8b08140000000000ff');
    expect(bytes.readUInt16LE(10)).toBe(41);
    expect(bytes.subarray(12, 53).toString()).toBe('+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=');
    expect(bytes.subarray(53, 58).toString('latin1')).toBe('Helm\0');
    // Byte-identical to the header of an archive helm wrote.
    const helmBytes = readFileSync(join(helm, 'action/chart-with-compressed-dependencies-2.1.8.tgz'));
    expect(bytes.subarray(0, 58).equals(helmBytes.subarray(0, 58))).toBe(true);
  });

  it('v2 with requirements.yaml: dependencies go into Chart.yaml, requirements.yaml is not written', async () => {
    const r = await packageChart(join(helm, 'loader/frobnitz.v2.reqs'), { destination: join(tmp, 'v2') });
    const names = systemTarList(r.path);
    expect(names).not.toContain('frobnitz/requirements.yaml');
    const md = parse(systemTarRead(r.path, 'frobnitz/Chart.yaml')) as { dependencies: { name: string }[] };
    expect(md.dependencies.map((d) => d.name)).toEqual(['alpine', 'mariner']);
  });

  it('v2 with Chart.lock re-serialises the lock second', async () => {
    const dir = join(tmp, 'parent');
    cpSync(join(helm, 'chartutil/import-values-from-enabled-subchart/parent-chart'), dir, { recursive: true });
    const r = await packageChart(dir, { destination: join(tmp, 'lockout') });
    const entries = systemTarList(r.path);
    expect(entries.slice(0, 2)).toEqual(['parent-chart/Chart.yaml', 'parent-chart/Chart.lock']);
    const lock = systemTarRead(r.path, 'parent-chart/Chart.lock');
    expect(lock).toBe(readFileSync(join(dir, 'Chart.lock'), 'utf8'));
  });

  it('--version / --app-version override the package only (helm TestSetAppVersion)', async () => {
    const r = await packageChart(join(helm, 'testcharts/issue1979'), {
      destination: join(tmp, 'ov'),
      version: '2.0.0',
      appVersion: '1.0',
    });
    expect(r.path.endsWith('alpine-2.0.0.tgz')).toBe(true);
    const text = systemTarRead(r.path, 'alpine/Chart.yaml');
    expect(text).toContain('appVersion: "1.0"');
    expect(text).toContain('version: 2.0.0');
    expect(readFileSync(join(helm, 'testcharts/issue1979/Chart.yaml'), 'utf8')).not.toContain('2.0.0');
  });

  it('rejects an invalid --version with Masterminds wording', async () => {
    await expect(
      packageChart(join(helm, 'testcharts/issue1979'), { destination: join(tmp, 'bad'), version: '1.2.3.4' }),
    ).rejects.toThrow('Invalid Semantic Version');
  });

  it('CheckDependencies: declared but missing in charts/', async () => {
    await expect(
      packageChart(join(helm, 'action/chart-missing-deps'), { destination: join(tmp, 'md') }),
    ).rejects.toThrow('found in Chart.yaml, but missing in charts/ directory: mariadb');
  });

  it('expands compressed dependencies as directories (chart-with-compressed-dependencies)', async () => {
    const r = await packageChart(join(helm, 'action/chart-with-compressed-dependencies'), {
      destination: join(tmp, 'cd'),
    });
    const names = systemTarList(r.path);
    expect(names).toContain('chart-with-compressed-dependencies/charts/mariadb/Chart.yaml');
    expect(names.some((n) => n.endsWith('.tgz'))).toBe(false);
    // The subchart expands to the same entries as in helm's own package of this chart (its source
    // in helm's testdata lacks some top-level files, so only charts/ is compared).
    const helmNames = systemTarList(join(helm, 'action/chart-with-compressed-dependencies-2.1.8.tgz'));
    const sub = (l: string[]) => new Set(l.filter((n) => n.includes('/charts/')));
    expect(sub(names)).toEqual(sub(helmNames));
  });

  it('rejects invalid values.schema.json', async () => {
    const dir = join(tmp, 'schema');
    cpSync(join(helm, 'testcharts/issue1979'), dir, { recursive: true });
    writeFileSync(join(dir, 'values.schema.json'), '{nope');
    await expect(packageChart(dir, { destination: join(tmp, 'schema-out') })).rejects.toThrow(
      'Invalid JSON in values.schema.json',
    );
  });

  it('archiveEntries and loadChart agree on a round trip', async () => {
    const c = await loadChart(join(helm, 'loader/frobnitz'));
    const r = await packageChart(join(helm, 'loader/frobnitz'), { destination: join(tmp, 'rt') });
    const back = await loadChart(r.path);
    expect(archiveEntries(back).map((e) => e.name)).toEqual(archiveEntries(c).map((e) => e.name));
  });
});

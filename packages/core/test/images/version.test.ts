// The version model: versions from git (exact tag with and without `v`, a commit past a tag), the
// order of the rules, and non-semver describe output as an error. Real git in a temp repository.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitVersion, pickVersion } from '../../src/images/version.js';

let dir: string;
const git = (...args: string[]) =>
  execFileSync(
    'git',
    [
      '-C',
      dir,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@example.org',
      '-c',
      'commit.gpgsign=false',
      '-c',
      'tag.gpgsign=false',
      ...args,
    ],
    { encoding: 'utf8' },
  );
async function commit(n: number) {
  await writeFile(join(dir, 'f.txt'), String(n));
  git('add', '.');
  git('commit', '-q', '-m', `c${n}`);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kx16-git-'));
  git('init', '-q');
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('gitVersion', () => {
  it('is undefined outside a work tree or without tags', async () => {
    const plain = await mkdtemp(join(tmpdir(), 'kx16-nogit-'));
    try {
      expect(await gitVersion(plain)).toBeUndefined();
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
    await commit(1);
    expect(await gitVersion(dir)).toBeUndefined();
  });

  it('takes an exact tag, v stripped', async () => {
    await commit(1);
    git('tag', 'v1.2.3');
    expect(await gitVersion(dir)).toEqual({ version: '1.2.3', rule: 'git tag v1.2.3' });
  });

  it('takes an exact tag without v, the highest when several', async () => {
    await commit(1);
    git('tag', '1.2.3');
    git('tag', '1.2.4');
    git('tag', 'not-a-version');
    expect(await gitVersion(dir)).toEqual({ version: '1.2.4', rule: 'git tag 1.2.4' });
  });

  it('uses git describe past an annotated tag, as Kaapana does (a semver pre-release)', async () => {
    await commit(1);
    git('tag', '-a', 'v1.2.3', '-m', 'release');
    await commit(2);
    await commit(3);
    const v = await gitVersion(dir);
    expect(v?.version).toMatch(/^1\.2\.3-2-g[0-9a-f]{7,}$/);
    expect(v?.rule).toMatch(/^git describe \(v1\.2\.3-2-g/);
  });

  it('falls back to git describe --tags for lightweight tags', async () => {
    await commit(1);
    git('tag', '1.2.3');
    await commit(2);
    expect((await gitVersion(dir))?.rule).toMatch(/^git describe --tags \(1\.2\.3-1-g/);
  });

  it('refuses a describe output that is not semver', async () => {
    await commit(1);
    git('tag', '-a', 'release-7', '-m', 'r');
    await commit(2);
    await expect(gitVersion(dir)).rejects.toThrow(/"release-7-1-g[0-9a-f]+", which is not a semantic version/);
  });
});

describe('pickVersion', () => {
  const git = { version: '1.2.3', rule: 'git tag v1.2.3' };
  it('applies the rules in order', () => {
    const dag = new Set(['dag-x']);
    expect(pickVersion('a', '0.1.0', { overrides: { a: '9.9.9' }, version: '2.0.0', git })).toEqual({
      version: '9.9.9',
      rule: 'image-versions',
    });
    expect(pickVersion('dag-x', '0.1.0', { chartVersion: '0.0.0', dagImages: dag, version: '2.0.0' })?.version).toBe(
      '0.0.0',
    );
    expect(pickVersion('a', '0.1.0', { chartVersion: '0.0.0', dagImages: dag, version: '2.0.0' })?.rule).toBe(
      'version input',
    );
    expect(pickVersion('a', '0.1.0', { git })).toEqual({ version: '1.2.3', rule: 'git tag v1.2.3' });
    expect(pickVersion('a', '0.1.0', { git, labelFirst: true })?.rule).toBe('LABEL VERSION');
    expect(pickVersion('a', '0.1.0', {})?.rule).toBe('LABEL VERSION (no git version)');
    expect(pickVersion('a', undefined, {})).toBeUndefined();
  });
});

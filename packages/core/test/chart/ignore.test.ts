// .helmignore rules: helm's pkg/ignore tests (TestParse, TestParseFail, TestIgnore table, defaults).
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IgnoreRules } from '@kaapana-ext/core/chart';
import { KxError } from '@kaapana-ext/core';

const testdata = join(import.meta.dirname, 'testdata/helm/ignore');

describe('helmignore parsing', () => {
  it('skips comments and blank lines (helm TestParse)', () => {
    const r = IgnoreRules.parse('#ignore\n\n\t#ignore\nfoo\nbar/*\nbaz/bar/foo.txt\n\none/more\n');
    expect(r.size).toBe(4);
  });

  it.each(['foo/**/bar', '[z-'])('rejects %s (helm TestParseFail) with file and line', (rule) => {
    let err: unknown;
    try {
      IgnoreRules.parse(`ok\n${rule}\n`, 'chart/.helmignore');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KxError);
    expect((err as KxError).line).toBe(2);
    expect((err as KxError).file).toBe('chart/.helmignore');
  });

  it('adds one default rule', () => {
    expect(IgnoreRules.empty().addDefaults().size).toBe(1);
  });

  it('strips a BOM on the first line', () => {
    const r = IgnoreRules.parse('\uFEFFfoo.txt\n');
    expect(r.ignores('foo.txt', false)).toBe(true);
  });
});

// helm pkg/ignore/rules_test.go TestIgnore: pattern, name, expected.
const cases: [string, string, boolean][] = [
  ['helm.txt', 'helm.txt', true],
  ['helm.*', 'helm.txt', true],
  ['helm.*', 'rudder.txt', false],
  ['*.txt', 'tiller.txt', true],
  ['*.txt', 'cargo/a.txt', true],
  ['cargo/*.txt', 'cargo/a.txt', true],
  ['cargo/*.*', 'cargo/a.txt', true],
  ['cargo/*.txt', 'mast/a.txt', false],
  ['ru[c-e]?er.txt', 'rudder.txt', true],
  ['templates/.?*', 'templates/.dotfile', true],
  ['.*', '.', false],
  ['.*', './', false],
  ['.*', '.joonix', true],
  ['.*', 'helm.txt', false],
  ['.*', '', false],
  ['cargo/', 'cargo', true],
  ['cargo/', 'cargo/', true],
  ['cargo/', 'mast/', false],
  ['helm.txt/', 'helm.txt', false],
  ['!helm.txt', 'helm.txt', false],
  ['!helm.txt', 'tiller.txt', true],
  ['!*.txt', 'cargo', true],
  ['!cargo/', 'mast/', true],
  ['/a.txt', 'a.txt', true],
  ['/a.txt', 'cargo/a.txt', false],
  ['/cargo/a.txt', 'cargo/a.txt', true],
];

describe('helmignore matching (helm TestIgnore)', () => {
  it.each(cases)('%s on %s → %s', async (pattern, name, expected) => {
    const r = IgnoreRules.parse(pattern);
    const isDir = (await stat(join(testdata, name))).isDirectory();
    expect(r.ignores(name, isDir)).toBe(expected);
  });

  it('first match wins, negation keeps only matches', () => {
    const r = IgnoreRules.parse('*.txt\n!keep.txt\n');
    expect(r.ignores('a.txt', false)).toBe(true);
    const only = IgnoreRules.parse('!keep.txt\n');
    expect(only.ignores('keep.txt', false)).toBe(false);
    expect(only.ignores('other.yaml', false)).toBe(true);
  });

  it('globs do not cross / and support escapes', () => {
    expect(IgnoreRules.parse('a*b').ignores('x/a/b', false)).toBe(false);
    expect(IgnoreRules.parse('docs/*').ignores('docs/a/b.md', false)).toBe(false);
    expect(IgnoreRules.parse('\\*.md').ignores('*.md', false)).toBe(true);
    expect(IgnoreRules.parse('\\*.md').ignores('a.md', false)).toBe(false);
    expect(IgnoreRules.parse('[^a]*.md').ignores('b.md', false)).toBe(true);
  });
});

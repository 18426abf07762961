// Masterminds-compatible versions and constraints (what helm uses), checked against
// Masterminds/semver's own TestConstraintsCheck table and helm's version validation cases.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareChartVersions,
  isChartSemver,
  parseChartVersion,
  parseConstraint,
  satisfiesConstraint,
} from '@kaapana-ext/core/chart';

const table = readFileSync(join(import.meta.dirname, 'testdata/semver/constraints-check.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'))
  .map((l) => l.split('\t') as [string, string, string]);

describe('constraints (Masterminds TestConstraintsCheck)', () => {
  it.each(table)('%s on %s → %s', (constraint, version, expected) => {
    expect(satisfiesConstraint(version, parseConstraint(constraint))).toBe(expected === 'true');
  });
});

describe('helm-style constraints', () => {
  const cases: [string, string, boolean][] = [
    ['>= 1.0, < 2.0', '1.5.0', true],
    ['>= 1.0, < 2.0', '2.0.0', false],
    ['>=1.0 <2.0', '1.9.9', true],
    ['^1.2 || ~3.1', '3.1.7', true],
    ['^1.2 || ~3.1', '3.2.0', false],
    ['1.2 - 1.4.5', '1.4.5', true],
    ['1.2 - 1.4.5', '1.4.6', false],
    ['1.2.x', '1.2.9', true],
    ['~1.2', '1.3.0', false],
    ['^0.1', '0.1.9', true],
    ['^0.1', '0.2.0', false],
    ['0.1.0', '0.1.0', true],
    ['0.1.0', 'v0.1.0', true],
    ['!=1.2.3', '1.2.3', false],
    ['!=1.2.x', '1.3.0', true],
    ['>1.0.0', '1.1.0-beta', false],
    ['>1.0.0-0', '1.1.0-beta', true],
  ];
  it.each(cases)('%s on %s → %s', (c, v, expected) => {
    expect(satisfiesConstraint(v, parseConstraint(c))).toBe(expected);
  });

  it.each(['>>1.0', '1.2.3.4', 'abc', '>= 1.0,, < 2'])('rejects %s', (c) => {
    expect(() => parseConstraint(c)).toThrow(/improper constraint|constraint parser error/);
  });
});

describe('versions (helm Metadata.Validate uses Masterminds NewVersion)', () => {
  it.each(['1.2.3', 'v1.2.3', '1.2', '1', '0.1.0-rc.1', '1.0.0+build.5', '0.0.0', '01.2.3'])('accepts %s', (v) => {
    expect(isChartSemver(parseChartVersion(v))).toBe(true);
  });
  it.each(['1.2.3.4', '1.1.3-023658', '1.1.3.sd.023658', '', 'latest', '1.2.3-'])('rejects %s', (v) => {
    expect(isChartSemver(parseChartVersion(v))).toBe(false);
  });
  it('orders versions semantically, unparsable lowest', () => {
    const sorted = ['1.10.0', '1.2.0', 'junk', '1.2.0-rc.1', '2.0.0'].sort(compareChartVersions);
    expect(sorted).toEqual(['junk', '1.2.0-rc.1', '1.2.0', '1.10.0', '2.0.0']);
  });
});

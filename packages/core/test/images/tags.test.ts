import { describe, expect, it } from 'vitest';
import {
  imageRef,
  imageTag,
  parseTagStyle,
  validateImageName,
  validateRegistry,
  validateTag,
} from '../../src/images/tags.js';

describe('Kaapana tag conventions', () => {
  it('kp style: <abbr>_<platform>__<version>', () => {
    expect(imageTag({ style: 'kp', version: '0.1.0', platformVersion: '0.1.3' })).toBe('kp_0.1.3__0.1.0');
    expect(imageTag({ style: 'kp', version: '0.1.0', platformVersion: '0.1.3', abbr: 'uk' })).toBe('uk_0.1.3__0.1.0');
  });
  it('platform style: the version itself', () => {
    expect(imageTag({ style: 'platform', version: '0.6.0' })).toBe('0.6.0');
    expect(imageTag({ style: 'platform', version: '0.6.0-rc.1' })).toBe('0.6.0-rc.1');
  });
  it('rejects non-semver versions and a missing platform version', () => {
    expect(() => imageTag({ style: 'platform', version: '0.1' })).toThrow(/not a semantic version/);
    expect(() => imageTag({ style: 'platform', version: 'v1.0.0' })).toThrow(/not a semantic version/);
    expect(() => imageTag({ style: 'kp', version: '0.1.0' })).toThrow(/needs the platform version/);
    expect(() => imageTag({ style: 'kp', version: '0.1.0', platformVersion: 'latest' })).toThrow(/platform version/);
    expect(() => imageTag({ style: 'kp', version: '0.1.0', platformVersion: '0.1.3', abbr: 'a_b' })).toThrow(
      /abbreviation/,
    );
  });
  it("takes a LABEL VERSION as written (verbatim), as Kaapana 0.1.3's build does; the tag must still be legal", () => {
    expect(imageTag({ style: 'kp', version: 'v0.24.0', platformVersion: '0.1.3', verbatim: true })).toBe(
      'kp_0.1.3__v0.24.0',
    );
    expect(imageTag({ style: 'platform', version: '9.5-alpine', verbatim: true })).toBe('9.5-alpine');
    expect(() => imageTag({ style: 'platform', version: 'a b', verbatim: true })).toThrow(/legal Docker tag/);
  });
  it('rejects a semver build suffix that is not a legal docker tag', () => {
    expect(() => imageTag({ style: 'platform', version: '1.0.0+build.1' })).toThrow(/legal Docker tag/);
  });
  it('parses tag-style', () => {
    expect(parseTagStyle('KP')).toBe('kp');
    expect(parseTagStyle('')).toBe('platform');
    expect(() => parseTagStyle('semver')).toThrow(/unknown/);
  });
});

describe('names', () => {
  it('lowercases image names and rejects illegal ones', () => {
    expect(validateImageName('Dag-Example')).toBe('dag-example');
    expect(() => validateImageName('bad name')).toThrow(/not a legal image name/);
    expect(() => validateImageName('-x')).toThrow();
    expect(() => validateImageName('')).toThrow(/empty/);
  });
  it('validates tags', () => {
    expect(validateTag('kp_0.1.3__0.1.0')).toBe('kp_0.1.3__0.1.0');
    expect(() => validateTag('.x')).toThrow();
    expect(() => validateTag('a'.repeat(129))).toThrow();
  });
  it('validates registries and builds references', () => {
    expect(validateRegistry('127.0.0.1:5000/Kaapana/')).toBe('127.0.0.1:5000/kaapana');
    expect(validateRegistry('ghcr.io/org')).toBe('ghcr.io/org');
    expect(() => validateRegistry('https://ghcr.io')).toThrow(/registry host/);
    expect(imageRef('127.0.0.1:5000/kaapana', 'x', '1.0.0')).toBe('127.0.0.1:5000/kaapana/x:1.0.0');
  });
});

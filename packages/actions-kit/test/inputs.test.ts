import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { actionInputs, annotationPath, getBool, getInt, getList, getMap } from '../src/index.js';

const set = (name: string, value: string) => (process.env[`INPUT_${name.toUpperCase()}`] = value);
afterEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('INPUT_')) delete process.env[k];
});

describe('action input readers', () => {
  it('lists: newlines or commas, blanks and comments dropped', () => {
    set('files', 'a/Dockerfile\n  b/*, c\n# note\n\n');
    expect(getList('files')).toEqual(['a/Dockerfile', 'b/*', 'c']);
  });
  it("booleans by the runner's rules (getBooleanInput), with a clear error", () => {
    for (const t of ['true', 'True', 'TRUE', ' true ']) {
      set('push', t);
      expect(getBool('push', false)).toBe(true);
    }
    for (const f of ['false', 'False', 'FALSE']) {
      set('push', f);
      expect(getBool('push', true)).toBe(false);
    }
    expect(getBool('missing', true)).toBe(true);
    for (const bad of ['maybe', 'yes', 'on', '1', 'tRUE']) {
      set('push', bad);
      expect(() => getBool('push', false)).toThrow(/input push must be true or false/);
    }
  });
  it('integers with a lower bound', () => {
    set('parallel', '3');
    expect(getInt('parallel', 2, 1)).toBe(3);
    set('parallel', '0');
    expect(() => getInt('parallel', 2, 1)).toThrow(/≥ 1/);
  });
  it('maps as key=value lines, YAML or JSON', () => {
    set('base-images', 'local-only/a:1=ghcr.io/x/a:1\n# c\nlocal-only/b:2 = ghcr.io/x/b:2');
    expect(getMap('base-images')).toEqual({ 'local-only/a:1': 'ghcr.io/x/a:1', 'local-only/b:2': 'ghcr.io/x/b:2' });
    set('base-images', '{"local-only/a:1": "ghcr.io/x/a:1"}');
    expect(getMap('base-images')).toEqual({ 'local-only/a:1': 'ghcr.io/x/a:1' });
    set('base-images', 'local-only/a:1: ghcr.io/x/a:1');
    expect(getMap('base-images')).toEqual({ 'local-only/a:1': 'ghcr.io/x/a:1' });
    set('base-images', '- a\n- b');
    expect(() => getMap('base-images')).toThrow(/must be a map/);
  });
  it('annotation paths are relative to the workspace', () => {
    expect(annotationPath('/ws/ext/Dockerfile', '/ws')).toBe('ext/Dockerfile');
    expect(annotationPath('/elsewhere/Dockerfile', '/ws')).toBe('/elsewhere/Dockerfile');
    expect(annotationPath('ext/Dockerfile', '/ws')).toBe('ext/Dockerfile');
  });
});

describe('actionInputs', () => {
  it('lines: one item a line, commas kept, the action.yml default when empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kx-inputs-'));
    try {
      const yml = join(dir, 'action.yml');
      writeFileSync(yml, "inputs:\n  cache-from:\n    default: 'type=local,src=/a'\n");
      const input = actionInputs(import.meta.url, yml);
      expect(input.lines('cache-from')).toEqual(['type=local,src=/a']);
      set('cache-from', 'type=registry,ref=r/x:cache\n# note\n\n  type=local,src=/b  ');
      expect(input.lines('cache-from')).toEqual(['type=registry,ref=r/x:cache', 'type=local,src=/b']);
      expect(() => input.lines('undeclared')).toThrow(/input undeclared is not declared/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

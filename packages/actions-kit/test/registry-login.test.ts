// The registry-auth input of the actions that push: a YAML list of {registry, username, password},
// every password masked at once, errors that never quote a value.
import { describe, expect, it } from 'vitest';
import { parseRegistryAuth } from '../src/index.js';

describe('registry-auth', () => {
  it('reads a YAML list, masks every password, and never quotes a value in errors', () => {
    const masked: string[] = [];
    const mask = (s: string) => masked.push(s);
    const creds = parseRegistryAuth(
      '- registry: ghcr.io\n  username: me\n  password: pw-one\n- {registry: "https://registry.example.org:5000/", username: ci, password: pw-two}\n',
      'registry-auth',
      mask,
    );
    expect(creds).toEqual([
      { registry: 'ghcr.io', username: 'me', password: 'pw-one' },
      { registry: 'registry.example.org:5000', username: 'ci', password: 'pw-two' },
    ]);
    expect(masked).toEqual(['pw-one', 'pw-two']);
    const bad = [
      '- registry: ghcr.io\n  username: me\n  password: ""\n',
      '- registry: ghcr.io/org\n  username: me\n  password: pw-three\n',
      '- registry: ghcr.io\n  user: me\n  password: pw-three\n',
      'registry: ghcr.io\npassword: pw-three\n',
      '- registry: ghcr.io\n  username: me\n  password: pw-three\n- registry: ghcr.io\n  username: me\n  password: pw-three\n',
      '- [registry: ghcr.io, password: "pw-three\n',
    ];
    const messages = bad.map((b) => {
      try {
        parseRegistryAuth(b, 'registry-auth', () => {});
        return 'no error';
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(messages[0]).toMatch(/entry 1: password is missing or empty/);
    expect(messages[1]).toMatch(/registry host/);
    expect(messages[2]).toMatch(/unknown key\(s\) user/);
    expect(messages[3]).toMatch(/must be a YAML list/);
    expect(messages[4]).toMatch(/listed twice/);
    expect(messages[5]).toMatch(/not valid YAML/);
    for (const m of messages) expect(m).not.toContain('pw-three');
  });
});

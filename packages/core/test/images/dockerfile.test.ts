import { describe, expect, it } from 'vitest';
import { localOnlyName, parseDockerfile } from '../../src/images/dockerfile.js';
import { KxError } from '../../src/errors/index.js';

describe('parseDockerfile: Kaapana labels', () => {
  it('reads IMAGE, REGISTRY, VERSION with quotes stripped, one label per line', () => {
    const p = parseDockerfile(
      [
        'FROM python:3.9-alpine3.12',
        '',
        'LABEL REGISTRY="local-only"',
        'LABEL IMAGE="dag-installer"',
        "LABEL VERSION='0.1.0'",
        'LABEL CI_IGNORE="False"',
      ].join('\n'),
      'Dockerfile',
    );
    expect(p.labels).toMatchObject({
      IMAGE: 'dag-installer',
      REGISTRY: 'local-only',
      VERSION: '0.1.0',
      CI_IGNORE: 'False',
    });
    expect(p.localOnly).toBe(true);
    expect(p.ignored).toBe(false);
    expect(p.labelLines.IMAGE).toBe(4);
  });

  it('only reads labels from lines that start with LABEL NAME= (like Kaapana)', () => {
    const p = parseDockerfile('FROM a:1\n  LABEL IMAGE="indented"\nLABEL IMAGE=plain\n# LABEL VERSION="9"\n', 'D');
    expect(p.labels.IMAGE).toBe('plain');
    expect(p.labels.VERSION).toBeUndefined();
  });

  it.each([
    ['BUILD_IGNORE', 'true', true],
    ['BUILD_IGNORE', 'YES', true],
    ['CI_IGNORE', 'True', true],
    ['CI_IGNORE', '1', true],
    ['CI_IGNORE', 'False', false],
    ['BUILD_IGNORE', 'no', false],
  ])('%s=%s → ignored %s', (key, value, expected) => {
    expect(parseDockerfile(`FROM a:1\nLABEL IMAGE="x"\nLABEL ${key}="${value}"`, 'D').ignored).toBe(expected);
  });

  it('a REGISTRY that is not local-only is not local', () => {
    expect(parseDockerfile('FROM a:1\nLABEL REGISTRY="registry.example/x"\nLABEL IMAGE=y', 'D').localOnly).toBe(false);
  });
});

describe('parseDockerfile: FROM lines', () => {
  it('reads every FROM of a multi-stage file, with stages and platform flags', () => {
    const p = parseDockerfile(
      [
        'FROM --platform=linux/amd64 local-only/base-python-cpu:latest AS build',
        'RUN make',
        'FROM local-only/dag-installer:0.1.0',
        'COPY --from=build /out /',
        'FROM build AS again',
        'FROM scratch',
      ].join('\n'),
      'D',
    );
    expect(p.froms.map((f) => [f.image, f.line, f.stage, f.internal])).toEqual([
      ['local-only/base-python-cpu:latest', 1, 'build', false],
      ['local-only/dag-installer:0.1.0', 3, undefined, false],
      ['build', 5, 'again', true],
      ['scratch', 6, undefined, true],
    ]);
  });

  it('substitutes ARG defaults declared before FROM', () => {
    const p = parseDockerfile(
      'ARG BASE_VERSION=0.6.0\nARG BASE=local-only/base-installer\nFROM ${BASE}:$BASE_VERSION\nFROM ${MISSING:-alpine}:3\n',
      'D',
    );
    expect(p.froms.map((f) => f.image)).toEqual(['local-only/base-installer:0.6.0', 'alpine:3']);
  });

  it('skips FROM lines marked #ignore', () => {
    const p = parseDockerfile('FROM nvcr.io/nvidia/pytorch:22 #ignore\nFROM local-only/x:1\n', 'D');
    expect(p.froms.map((f) => f.image)).toEqual(['local-only/x:1']);
  });

  it('joins continued lines and keeps the first line number', () => {
    const p = parseDockerfile('RUN a \\\n  b\nFROM \\\n  local-only/x:1 \\\n  AS s\n', 'D');
    expect(p.froms).toEqual([{ image: 'local-only/x:1', line: 3, stage: 's', internal: false }]);
  });

  it('accepts registries with ports and digests', () => {
    const p = parseDockerfile('FROM 127.0.0.1:5000/kaapana/base:1.0\nFROM alpine@sha256:' + 'a'.repeat(64), 'D');
    expect(p.froms).toHaveLength(2);
  });

  it('a base without a tag is an error naming file and line', () => {
    const text = 'LABEL IMAGE=x\n\nFROM ubuntu\n';
    expect(() => parseDockerfile(text, 'ext/Dockerfile')).toThrow(KxError);
    try {
      parseDockerfile(text, 'ext/Dockerfile');
    } catch (e) {
      expect((e as KxError).file).toBe('ext/Dockerfile');
      expect((e as KxError).line).toBe(3);
      expect((e as KxError).message).toMatch(/has no tag/);
    }
  });

  it('a registry port is not mistaken for a tag', () => {
    expect(() => parseDockerfile('FROM 127.0.0.1:5000/base\n', 'D')).toThrow(/has no tag/);
  });

  it('FROM with nothing after it is an error', () => {
    expect(() => parseDockerfile('FROM\n', 'D')).toThrow(/FROM without an image/);
  });

  it('an ARG that expands to nothing is an error', () => {
    expect(() => parseDockerfile('ARG BASE\nFROM $BASE\n', 'D')).toThrow(/expands to nothing/);
  });
});

describe('localOnlyName', () => {
  it('splits local-only references', () => {
    expect(localOnlyName('local-only/dag-installer:0.1.0')).toEqual({ name: 'dag-installer', tag: '0.1.0' });
    expect(localOnlyName('local-only/base')).toEqual({ name: 'base', tag: 'latest' });
    expect(localOnlyName('python:3.9')).toBeUndefined();
  });
});

// Verified tool installs through @actions/tool-cache, against a loopback HTTP server that publishes
// a real kubectl binary (the one on PATH) under the Kubernetes release layout, with a right and a
// wrong .sha256, plus a tar.gz archive for the generic path. Also the checksum-file parser.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as io from '@actions/io';
import { KxError } from '@kaapana-ext/core';
import { goPlatform, parseSha256Text, sha256OfFile } from '@kaapana-ext/core/tools';
import {
  installTool,
  kubectlDownloadUrl,
  normalizeKubectlVersion,
  resolveKubectl,
} from '@kaapana-ext/actions-kit/tools';

const platform = goPlatform();
let server: Server;
let base: string;
let work: string;
let kubectlBinary: string;
let kubectlSha: string;
let archive: Buffer;
const hits: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kx-tools-test-'));
  kubectlBinary = realpathSync(await io.which('kubectl', true));
  kubectlSha = await sha256OfFile(kubectlBinary);
  // A tar.gz holding linux-amd64/hello, the way helm ships its releases.
  await mkdir(join(work, 'src/linux-amd64'), { recursive: true });
  await writeFile(join(work, 'src/linux-amd64/hello'), '#!/bin/sh\necho hello from the archive\n', { mode: 0o755 });
  execFileSync('tar', ['-czf', join(work, 'hello.tar.gz'), '-C', join(work, 'src'), 'linux-amd64']);
  archive = readFileSync(join(work, 'hello.tar.gz'));

  const right = `/v1.32.4/bin/${platform.os}/${platform.arch}/kubectl`;
  const wrong = `/v1.32.5/bin/${platform.os}/${platform.arch}/kubectl`;
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.push(path);
    if (path === right || path === wrong) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      createReadStream(kubectlBinary).pipe(res);
    } else if (path === `${right}.sha256`) {
      res.end(kubectlSha); // published as a bare digest, like dl.k8s.io
    } else if (path === `${wrong}.sha256`) {
      res.end(createHash('sha256').update('something else').digest('hex'));
    } else if (path === '/hello.tar.gz') {
      res.end(archive);
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await rm(work, { recursive: true, force: true });
});

describe('kubectl from the tool cache', () => {
  it('downloads, verifies the published sha256, caches and runs kubectl; the second time it comes from the cache', async () => {
    const toolCacheDir = join(work, 'cache-a');
    const tempDir = join(work, 'tmp-a');
    const first = await resolveKubectl({ version: 'v1.32.4', baseUrl: base, toolCacheDir, tempDir });
    expect(first.source).toBe('download');
    expect(first.path).toBe(join(toolCacheDir, 'kubectl', '1.32.4', platform.arch, 'kubectl'));
    expect(await sha256OfFile(first.path)).toBe(kubectlSha);
    expect(execFileSync(first.path, ['version', '--client'], { encoding: 'utf8' })).toContain('Client Version');
    const binaryHits = hits.filter(
      (h) =>
        h.endsWith('/v1.32.4/bin/linux/amd64/kubectl') ||
        h.endsWith(`/v1.32.4/bin/${platform.os}/${platform.arch}/kubectl`),
    ).length;

    const second = await resolveKubectl({ version: '1.32.4', baseUrl: base, toolCacheDir, tempDir });
    expect(second.source).toBe('tool-cache');
    expect(second.path).toBe(first.path);
    expect(hits.filter((h) => h.endsWith(`/v1.32.4/bin/${platform.os}/${platform.arch}/kubectl`)).length).toBe(
      binaryHits,
    );
    // Nothing left behind in the scratch dir.
    expect(await readdir(tempDir).catch(() => [])).toEqual([]);
  });

  it('refuses a download whose sha256 differs from the published one, and caches nothing', async () => {
    const toolCacheDir = join(work, 'cache-b');
    const tempDir = join(work, 'tmp-b');
    const err = await resolveKubectl({ version: '1.32.5', baseUrl: base, toolCacheDir, tempDir }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KxError);
    expect((err as Error).message).toMatch(
      /SHA-256 mismatch for kubectl 1\.32\.5 .*published [0-9a-f]{64}, downloaded file has [0-9a-f]{64}; refusing to use it/,
    );
    expect(await readdir(join(toolCacheDir, 'kubectl')).catch(() => [])).toEqual([]);
    expect(await readdir(tempDir).catch(() => [])).toEqual([]);
  });

  it('says which URL could not be downloaded', async () => {
    const err = await resolveKubectl({
      version: '1.31.0',
      baseUrl: base,
      toolCacheDir: join(work, 'cache-c'),
      tempDir: join(work, 'tmp-c'),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KxError);
    expect((err as Error).message).toContain(
      `could not download kubectl 1.31.0 from ${base}v1.31.0/bin/${platform.os}/${platform.arch}/kubectl (HTTP 404)`,
    );
  });

  it('uses the kubectl on PATH when no version is asked for', async () => {
    const choice = await resolveKubectl({});
    expect(choice.source).toBe('path');
    expect(choice.path).toBe(await io.which('kubectl', true));
  });

  it('only accepts exact versions and builds the release URL', () => {
    expect(normalizeKubectlVersion('v1.32.4')).toBe('1.32.4');
    expect(() => normalizeKubectlVersion('latest')).toThrow(/exact version like 1\.32\.4/);
    expect(() => normalizeKubectlVersion('1.32')).toThrow(KxError);
    expect(kubectlDownloadUrl('https://dl.k8s.io/release/', '1.32.4', { os: 'linux', arch: 'arm64' })).toBe(
      'https://dl.k8s.io/release/v1.32.4/bin/linux/arm64/kubectl',
    );
    expect(kubectlDownloadUrl('https://mirror.example/k8s', '1.32.4', { os: 'windows', arch: 'amd64' })).toBe(
      'https://mirror.example/k8s/v1.32.4/bin/windows/amd64/kubectl.exe',
    );
  });
});

describe('installTool (generic)', () => {
  it('unpacks a verified tar.gz and caches the executable inside it', async () => {
    const sha = createHash('sha256').update(archive).digest('hex');
    const tool = await installTool(
      {
        name: 'hello',
        version: '0.1.0',
        url: `${base}hello.tar.gz`,
        sha256: { value: sha },
        archive: 'tar.gz',
        executable: 'linux-amd64/hello',
      },
      { toolCacheDir: join(work, 'cache-d'), tempDir: join(work, 'tmp-d') },
    );
    expect(tool.sha256).toBe(sha);
    expect(execFileSync(tool.path, { encoding: 'utf8' })).toBe('hello from the archive\n');
  });

  it('refuses an archive with a pinned digest that does not match', async () => {
    const err = await installTool(
      {
        name: 'hello',
        version: '0.2.0',
        url: `${base}hello.tar.gz`,
        sha256: { value: '0'.repeat(64) },
        archive: 'tar.gz',
        executable: 'linux-amd64/hello',
      },
      { toolCacheDir: join(work, 'cache-e'), tempDir: join(work, 'tmp-e') },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toContain('SHA-256 mismatch for hello 0.2.0');
  });

  it('leaves RUNNER_TOOL_CACHE and RUNNER_TEMP as they were', async () => {
    const before = [process.env['RUNNER_TOOL_CACHE'], process.env['RUNNER_TEMP']];
    await installTool(
      {
        name: 'hello',
        version: '0.1.0',
        url: `${base}hello.tar.gz`,
        sha256: { value: createHash('sha256').update(archive).digest('hex') },
        archive: 'tar.gz',
        executable: 'linux-amd64/hello',
      },
      { toolCacheDir: join(work, 'cache-d'), tempDir: join(work, 'tmp-d') },
    );
    expect([process.env['RUNNER_TOOL_CACHE'], process.env['RUNNER_TEMP']]).toEqual(before);
  });
});

describe('parseSha256Text', () => {
  const a = 'a'.repeat(64);
  const b = 'B'.repeat(64);
  it('reads a bare digest, sha256sum lines and BSD lines', () => {
    expect(parseSha256Text(`${a}\n`, 'x.sha256')).toBe(a);
    expect(parseSha256Text(`${a}  kubectl\n${b} *helm.tar.gz\n`, 'SHA256SUMS', 'helm.tar.gz')).toBe(b.toLowerCase());
    expect(parseSha256Text(`SHA256 (kubectl) = ${a}`, 'sums', 'kubectl')).toBe(a);
  });
  it('names the checksum file when it has no digest, or none for the file', () => {
    expect(() => parseSha256Text('<html>not found</html>', 'https://x/kubectl.sha256')).toThrow(
      /no SHA-256 digest found in https:\/\/x\/kubectl\.sha256/,
    );
    expect(() => parseSha256Text(`${a}  one\n${b}  two\n`, 'SUMS', 'three')).toThrow(
      /SUMS lists 2 digests but none for "three"/,
    );
  });
});

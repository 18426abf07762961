// The example extension's processing container, built offline with the classic builder: the
// local-only Node base from this machine's node binary (prepare-node-runtime.mjs), the app built by
// build-app.mjs (bundle + wasm pipelines, within its size limit), then run in Kaapana operator mode
// on a workflow dir and as a CLI on inputs that need the bundled WebAssembly pipelines. Needs dockerd (run through
// scripts/with-services.sh); skipped with a note when no daemon answers.
import { execFile, execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { readImageNode } from '@itk-wasm/image-io';
import { withTempDir } from '../temp-dir.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVolumes, writeNrrdAtomic } from '../../src/index.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const algorithm = join(here, '..', '..');
const root = join(algorithm, '..');
const containers = join(root, 'examples', 'threshold-segmentation', 'processing-containers');
const IMAGE = `kx-algorithm-test/example-otsus-method:${process.pid}`;
const BASE = 'local-only/node-runtime:20';

function dockerUp(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}
const hasDocker = dockerUp();
if (!hasDocker && process.env.KX_REQUIRE_SERVICES === '1')
  throw new Error('container test: no docker daemon and KX_REQUIRE_SERVICES=1');
if (!hasDocker) console.warn('container test skipped: no docker daemon (run it through scripts/with-services.sh)');

const build = (tag: string, dir: string) =>
  run('docker', ['build', '-q', '-t', tag, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, maxBuffer: 1 << 24 });

describe.skipIf(!hasDocker)('processing container (operator mode)', () => {
  // Private copies of the two build contexts (the example's Dockerfiles, freshly staged content), so
  // a concurrent demo or build using the example tree is not disturbed.
  let contexts: string;
  beforeAll(async () => {
    contexts = await mkdtemp(join(tmpdir(), 'kx-otsu-contexts-'));
    for (const name of ['node-runtime', 'otsus-method']) {
      await mkdir(join(contexts, name));
      for (const f of ['Dockerfile', '.dockerignore'])
        await copyFile(join(containers, name, f), join(contexts, name, f));
    }
    await run(process.execPath, [
      join(algorithm, 'container', 'prepare-node-runtime.mjs'),
      '--out',
      join(contexts, 'node-runtime'),
    ]);
    await run(process.execPath, [
      join(algorithm, 'container', 'build-app.mjs'),
      '--out',
      join(contexts, 'otsus-method', 'app'),
    ]);
    await build(BASE, join(contexts, 'node-runtime'));
    await build(IMAGE, join(contexts, 'otsus-method'));
  });
  afterAll(async () => {
    await run('docker', ['rmi', '-f', IMAGE]).catch(() => undefined);
    if (contexts) await rm(contexts, { recursive: true, force: true });
  });

  it('is built from the bundle within the size limit', async () => {
    const app = join(contexts, 'otsus-method', 'app');
    const { APP_SIZE_LIMIT, treeBytes } = (await import(
      pathToFileURL(join(algorithm, 'container', 'build-app.mjs')).href
    )) as {
      APP_SIZE_LIMIT: number;
      treeBytes: (dir: string) => number;
    };
    expect(APP_SIZE_LIMIT).toBe(40e6);
    expect(treeBytes(app)).toBeLessThanOrEqual(APP_SIZE_LIMIT);
    const files = await readdir(app);
    expect(files).toEqual(expect.arrayContaining(['kaapana-otsu.js', 'helper-worker.js', 'pipelines', 'package.json']));
    expect(files).not.toContain('node_modules');
  });

  it('runs the CLI on DICOM (native and compressed, with SEG) and NIfTI inputs', async () => {
    await withTempDir('kx-otsu-container-cli', async (dir) => {
      const data = join(algorithm, 'test', 'data');
      const all = ['mask.nrrd', 'report.html', 'report.png', 'result.json', 'seg.dcm'];
      const noSeg = all.filter((f) => f !== 'seg.dcm');
      // [input, threshold, files, stderr]: a source without a Frame of Reference gets no SEG, only a warning.
      const inputs: [string, string, string[], RegExp][] = [
        ['series/ct5n', 'threshold -378', all, /^$/],
        ['mr-small-jpeg-ls-lossless.dcm', 'threshold 773', all, /^$/],
        [
          'ct-jpeg2000-lossy.dcm',
          'threshold -1726',
          noSeg,
          /^kaapana-otsu: warning: no seg\.dcm: .*has no Frame of Reference UID/,
        ],
        ['image-files/anatomical.nii', 'threshold 7625', noSeg, /^$/],
      ];
      for (const [input, threshold, files, stderr] of inputs) {
        const out = `/out/${input.replaceAll('/', '_')}`;
        const r = await run('docker', [
          'run',
          '--rm',
          '--network',
          'none',
          '-v',
          `${data}:/data:ro`,
          '-v',
          `${dir}:/out`,
          IMAGE,
          'node',
          '/kaapana/app/kaapana-otsu.js',
          '--input',
          `/data/${input}`,
          '--output',
          out,
          '--quiet',
        ]);
        expect(r.stdout).toContain(threshold);
        expect(r.stderr.trim()).toMatch(stderr);
        expect((await readdir(join(dir, input.replaceAll('/', '_')))).sort()).toEqual(files);
      }
    });
  });

  it('has the Kaapana labels', async () => {
    const { stdout } = await run('docker', ['image', 'inspect', '-f', '{{json .Config.Labels}}', IMAGE]);
    const labels = JSON.parse(stdout);
    expect(labels.IMAGE).toBe('example-otsus-method');
    expect(labels.VERSION).toBe('0.1.0');
  });

  it('segments every batch element and fails on a missing NRRD', async () => {
    await withTempDir('kx-otsu-container-', async (wf) => {
      const inDir = join(wf, 'batch', 'ct5n', 'dcm-converter');
      await mkdir(inDir, { recursive: true });
      const [volume] = await readVolumes(join(algorithm, 'test', 'data', 'series', 'ct5n'));
      await writeNrrdAtomic(volume!.image, join(inDir, 'ct5n.nrrd'));
      const env = [
        '-e',
        'WORKFLOW_DIR=/data',
        '-e',
        'BATCH_NAME=batch',
        '-e',
        'OPERATOR_IN_DIR=dcm-converter',
        '-e',
        'OPERATOR_OUT_DIR=otsus-method',
      ];
      const ok = await run('docker', ['run', '--rm', '--network', 'none', '-v', `${wf}:/data`, ...env, IMAGE]);
      expect(ok.stdout).toContain('threshold -378');
      const outDir = join(wf, 'batch', 'ct5n', 'otsus-method');
      expect(await readdir(outDir)).toEqual(['ct5n.nrrd']);
      const mask = await readImageNode(join(outDir, 'ct5n.nrrd'));
      expect(Array.from(mask.data as Uint8Array).filter((v) => v === 1)).toHaveLength(1097);

      await mkdir(join(wf, 'batch', 'empty', 'dcm-converter'), { recursive: true });
      const bad = await run('docker', ['run', '--rm', '--network', 'none', '-v', `${wf}:/data`, ...env, IMAGE]).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/No nrrd file found/);
    });
  });
});

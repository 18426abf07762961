// The CLI against a real (fixture) JavaScript action run in a child process exactly as the runner
// does: options from action.yml, defaults, INPUT_* variables, output/state/summary files, the post
// step, masks, annotations and exit codes.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, parseRunnerFile, parseWorkflowCommand, summaryToText, type CliIo } from '../src/index.js';

const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kx-cli-test-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function run(argv: string[], extraEnv: NodeJS.ProcessEnv = {}, stdin = '') {
  const out = collect();
  const err = collect();
  const io: CliIo = {
    stdout: out.stream,
    stderr: err.stream,
    env: { ...process.env, KAAPANA_EXT_ACTIONS_DIR: fixtures, RUNNER_TOOL_CACHE: join(work, 'tc'), ...extraEnv },
    cwd: work,
    readStdin: async () => stdin,
  };
  const code = await main(argv, io);
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('kaapana-ext CLI', () => {
  it('derives --help from action.yml', async () => {
    const r = await run(['build-images', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: kaapana-ext build-images [options]');
    expect(r.stdout).toContain('--registry <value> [required]');
    expect(r.stdout).toContain('--[no-]skip-existing');
    expect(r.stdout).toContain('(default: 2)');
    expect(r.stdout).toContain('KAAPANA_EXT_PASSWORD');
  });

  it('runs the action with defaults, repeated options, outputs and the post step', async () => {
    const r = await run([
      'build-images',
      '--json',
      '--registry',
      '127.0.0.1:5000/kx',
      '--no-skip-existing',
      '--base-images',
      'a=b',
      '--base-images=c=d',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { ok: boolean; outputs: { echo: Record<string, string>; multi: string } };
    expect(json.ok).toBe(true);
    expect(json.outputs.echo).toEqual({
      registry: '127.0.0.1:5000/kx',
      parallel: '2',
      skipExisting: 'false',
      baseImages: 'a=b\nc=d',
      workspace: work,
      toolCache: 'set',
    });
    expect(json.outputs.multi).toBe('line one\nline two');
    expect(r.stderr).toContain('▶ Build images');
    expect(r.stderr).toMatch(/✓ Build images \(\d+\.\ds\)/);
    expect(r.stderr).toContain('post: cleaned up');
    expect(r.stderr).not.toContain('a debug line');
  });

  it('reads secrets from stdin and masks them in the log', async () => {
    const r = await run(['build-images', '--registry', 'r.example/x', '--password-stdin'], {}, 's3cr3t-value\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('building with password ***');
    expect(r.stdout).not.toContain('s3cr3t-value');
    // text mode: the outputs in a few lines; the job summary only with --summary-file
    expect(r.stdout).toMatch(/\nbuild-images:\n {2}echo: \{registry, .*\} \(--json\)\n {2}multi: 2 lines \(--json\)\n/);
    expect(r.stdout).not.toContain('image | status');
  });

  it('takes inputs from KAAPANA_EXT_<INPUT> variables', async () => {
    const r = await run(['build-images', '--json'], { KAAPANA_EXT_REGISTRY: 'env.example/y' });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { outputs: { echo: { registry: string } } }).outputs.echo.registry).toBe(
      'env.example/y',
    );
  });

  it('reports a failing action with its annotation and exit code 1', async () => {
    const r = await run(['build-images', '--registry', 'r.example/x', '--fail']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error: extension/docker/Dockerfile:3: FROM local-only/missing:1.0: base image missing');
    expect(r.stdout).toContain('✗ build-images failed (exit 1)');
    expect(r.stdout).toContain('post: cleaned up');
  });

  it('rejects unknown options with a suggestion, and missing required ones', async () => {
    const a = await run(['build-images', '--registy', 'x']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('unknown option --registy (did you mean --registry?)');
    const b = await run(['build-images']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('missing required option for Fixture action: --registry');
    const c = await run(['frobnicate']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('unknown command "frobnicate"');
  });

  it('writes the summary file atomically when asked', async () => {
    const file = join(work, 'summary.md');
    const r = await run(['build-images', '--registry', 'r.example/x', '--summary-file', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(file, 'utf8')).toContain('<td>dag-example</td>');
  });
});

describe('runner file formats', () => {
  it('parses name=value lines and heredocs', () => {
    expect(parseRunnerFile('a=1\nb<<EOF\nx\ny=z\nEOF\nc=\n', 'f')).toEqual({ a: '1', b: 'x\ny=z', c: '' });
  });
  it('names the file and line of a malformed entry', () => {
    expect(() => parseRunnerFile('a=1\nbroken\n', '/tmp/out')).toThrow(/broken/);
    try {
      parseRunnerFile('a=1\nb<<EOF\nx\n', '/tmp/out');
    } catch (e) {
      expect((e as { file: string; line: number }).file).toBe('/tmp/out');
      expect((e as { line: number }).line).toBe(2);
    }
  });
  it('parses workflow commands with escaped data and properties', () => {
    expect(parseWorkflowCommand('::error file=a%2Cb.yml,line=4::one%0Atwo %25')).toEqual({
      command: 'error',
      properties: { file: 'a,b.yml', line: '4' },
      message: 'one\ntwo %',
    });
    expect(parseWorkflowCommand('plain :: text')).toBeUndefined();
  });
  it('renders summary HTML tables as text', () => {
    expect(
      summaryToText('<h2>X</h2>\n<table><tr><th>a</th><th>b</th></tr><tr><td>1 &amp; 2</td><td>3</td></tr></table>'),
    ).toBe('## X\n\na | b\n1 & 2 | 3');
  });
});

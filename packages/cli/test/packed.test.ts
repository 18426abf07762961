// The packed CLI as a user gets it: `scripts/pack.mjs` makes the tarball, `npm install --offline
// <tarball>` puts it into an empty directory (nothing may come from a registry), and the installed
// bin runs every command's --help, a real package-chart and a build-images --dry-run on a copy of
// the threshold-segmentation example — with the actions packed inside, not this checkout's.
import { execFileSync, spawnSync } from 'node:child_process';
import { cp, lstat, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_COMMANDS } from '../src/index.js';

const cliDir = fileURLToPath(new URL('..', import.meta.url));
const example = fileURLToPath(new URL('../../../examples/threshold-segmentation', import.meta.url));

let work: string;
let tarball: string;
let installed: string;

/** The installed bin, run from `cwd` with this process's environment minus the checkout's actions. */
function kx(args: string[], cwd = work) {
  const env: NodeJS.ProcessEnv = { ...process.env, RUNNER_TOOL_CACHE: join(work, 'tool-cache') };
  delete env.KAAPANA_EXT_ACTIONS_DIR;
  const r = spawnSync(join(work, 'user', 'node_modules', '.bin', 'kaapana-ext'), args, { cwd, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'kx18-cli-packed-'));
  tarball = execFileSync(process.execPath, [join(cliDir, 'scripts', 'pack.mjs'), '--out', join(work, 'dist')], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
  const user = join(work, 'user');
  await mkdir(user);
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: user, stdio: 'pipe' });
  installed = join(user, 'node_modules', 'kaapana-ext');
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isSymbolicLink()) out.push(`symlink:${p}`);
    else if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

describe('packed kaapana-ext CLI', () => {
  it('is one package without dependencies, links or workspace imports', async () => {
    const pkg = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.bin).toEqual({ 'kaapana-ext': 'bin/kaapana-ext.js' });
    const files = await walk(installed);
    expect(files.filter((f) => f.startsWith('symlink:') || f.slice(installed.length).includes('node_modules'))).toEqual([]);
    for (const a of ACTION_COMMANDS) expect(files).toContain(join(installed, 'actions', `action-${a}`, 'dist', 'index.js'));
    const bundle = await readFile(join(installed, 'lib', 'cli.js'), 'utf8');
    expect(bundle).not.toMatch(/from ['"](@kaapana-ext|yaml|picomatch)/);
    expect(await readFile(join(installed, 'lib', 'licenses.txt'), 'utf8')).toContain('yaml@');
    expect((await lstat(join(work, 'user', 'node_modules', '.bin', 'kaapana-ext'))).isSymbolicLink()).toBe(true);
  });

  it('runs --version and the --help of every command', () => {
    const version = kx(['--version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    for (const command of [...ACTION_COMMANDS, 'publish']) {
      const r = kx([command, '--help']);
      expect(r.code, `${command}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`Usage: kaapana-ext ${command} [options]`);
    }
  });

  it('packages the example chart and plans its images with the packed actions', async () => {
    const ext = join(work, 'ext');
    await cp(example, ext, { recursive: true, filter: (src) => !src.includes('rootfs') && !src.endsWith('/app') });
    const chart = kx(['package-chart', '--json', '--chart', 'ext/extension/threshold-segmentation-workflow', '--destination', 'charts']);
    expect(chart.code, chart.stderr).toBe(0);
    const packages = (JSON.parse(chart.stdout) as { outputs: { packages: { name: string; path: string }[] } }).outputs.packages;
    expect(packages.map((p) => p.name)).toEqual(['example-threshold-segmentation-workflow']);
    expect((await readdir(join(work, 'charts'))).sort()).toEqual(['example-threshold-segmentation-workflow-0.1.0.tgz']);

    const plan = kx(['build-images', '--json', '--context', 'ext', '--ignore', 'collection', '--registry', '127.0.0.1:5000/kx18-cli', '--dry-run']);
    expect(plan.code, plan.stderr).toBe(0);
    const out = (JSON.parse(plan.stdout) as { outputs: { plan: { images: { ref: string }[] }; images: unknown[] } }).outputs;
    expect(out.plan.images.map((i) => i.ref)).toContain('127.0.0.1:5000/kx18-cli/example-otsus-method:0.1.0');
    expect(out.images).toEqual([]);
  });
});

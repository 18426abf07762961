// The packed CLI as a user gets it: `scripts/pack.mjs` makes the tarball, `npm install --offline
// <tarball>` puts it into an empty directory (nothing may come from a registry), and the installed
// bin runs every command's --help, a real package-chart and a build-images --dry-run on a copy of
// the threshold-segmentation example — with the actions packed inside, not this checkout's. Then
// the CLI container image: its context staged from the same tarball (scripts/container-context.mjs),
// built and pushed by the installed CLI's own build-images on top of an offline stand-in for its base
// (this machine's node + libraries + static busybox, FROM scratch, with the labels of
// container/base/Dockerfile, whose docker:cli base cannot be pulled here), and run: `kaapana-ext`
// inside the image answers every command's --help.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, cp, lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_COMMANDS } from '../src/index.js';
import { BUSYBOX, removeImages } from '../../../test/support/docker.js';
import { REGISTRY, uniqueName } from '../../../test/support/registry.js';

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
  tarball = execFileSync(process.execPath, [join(cliDir, 'scripts', 'pack.mjs'), '--out', join(work, 'dist')], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .at(-1)!;
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
    expect(files.filter((f) => f.startsWith('symlink:') || f.slice(installed.length).includes('node_modules'))).toEqual(
      [],
    );
    for (const a of ACTION_COMMANDS)
      expect(files).toContain(join(installed, 'actions', `action-${a}`, 'dist', 'index.js'));
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
    const chart = kx([
      'package-chart',
      '--json',
      '--chart',
      'ext/extension/threshold-segmentation-workflow',
      '--destination',
      'charts',
    ]);
    expect(chart.code, chart.stderr).toBe(0);
    const packages = (JSON.parse(chart.stdout) as { outputs: { packages: { name: string; path: string }[] } }).outputs
      .packages;
    expect(packages.map((p) => p.name)).toEqual(['example-threshold-segmentation-workflow']);
    expect((await readdir(join(work, 'charts'))).sort()).toEqual(['example-threshold-segmentation-workflow-0.1.0.tgz']);

    const plan = kx([
      'build-images',
      '--json',
      '--context',
      'ext',
      '--ignore',
      'collection',
      '--registry',
      '127.0.0.1:5000/kx18-cli',
      '--dry-run',
    ]);
    expect(plan.code, plan.stderr).toBe(0);
    const out = (JSON.parse(plan.stdout) as { outputs: { plan: { images: { ref: string }[] }; images: unknown[] } })
      .outputs;
    expect(out.plan.images.map((i) => i.ref)).toContain('127.0.0.1:5000/kx18-cli/example-otsus-method:0.1.0');
    expect(out.images).toEqual([]);
  });
});

/** The stand-in of local-only/kaapana-ext-cli-base: node + its libraries + busybox as sh and env. */
async function standInBase(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'Dockerfile'),
    'FROM scratch\nLABEL IMAGE="kaapana-ext-cli-base"\nLABEL REGISTRY="local-only"\nLABEL VERSION="1"\nCOPY rootfs/ /\n',
  );
  const prepare = fileURLToPath(new URL('../../../algorithm/container/prepare-node-runtime.mjs', import.meta.url));
  execFileSync(process.execPath, [prepare, '--out', dir], { stdio: 'pipe' });
  await mkdir(join(dir, 'rootfs', 'bin'), { recursive: true });
  await mkdir(join(dir, 'rootfs', 'usr', 'bin'), { recursive: true });
  await copyFile(BUSYBOX, join(dir, 'rootfs', 'bin', 'busybox'));
  await symlink('/bin/busybox', join(dir, 'rootfs', 'bin', 'sh'));
  await symlink('/bin/busybox', join(dir, 'rootfs', 'usr', 'bin', 'env'));
}

describe('CLI container image', () => {
  const refs: string[] = [];
  afterAll(() => removeImages(refs));

  it("is built by the packed CLI's build-images and runs kaapana-ext inside", async () => {
    const ctx = join(work, 'image');
    execFileSync(
      process.execPath,
      [join(cliDir, 'scripts', 'container-context.mjs'), '--tarball', tarball, '--out', join(ctx, 'cli')],
      { stdio: 'pipe' },
    );
    await copyFile(join(cliDir, 'container', 'cli', 'Dockerfile'), join(ctx, 'cli', 'Dockerfile'));
    await standInBase(join(ctx, 'base'));
    const registry = `${REGISTRY}/${uniqueName('kx18-cli-image')}`;
    const r = kx(['build-images', '--json', '--context', ctx, '--registry', registry]);
    expect(r.code, r.stderr).toBe(0);
    const images = (
      JSON.parse(r.stdout) as { outputs: { images: { name: string; ref: string; status: string; tags: string[] }[] } }
    ).outputs.images;
    refs.push(...images.flatMap((i) => i.tags));
    const cli = images.find((i) => i.name === 'kaapana-ext')!;
    expect(cli).toMatchObject({ ref: `${registry}/kaapana-ext:0.1.0`, status: 'pushed' });
    const docker = (...args: string[]) => spawnSync('docker', ['run', '--rm', cli.ref, ...args], { encoding: 'utf8' });
    const help = docker(); // the image's CMD
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: kaapana-ext <command> [options]');
    const commands = docker(
      'sh',
      '-c',
      [...ACTION_COMMANDS, 'publish'].map((c) => `kaapana-ext ${c} --help | head -1`).join(' && '),
    );
    expect(commands.status, commands.stderr).toBe(0);
    expect(commands.stdout.trim().split('\n')).toEqual(
      [...ACTION_COMMANDS, 'publish'].map((c) => `Usage: kaapana-ext ${c} [options]`),
    );
  });
});

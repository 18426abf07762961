#!/usr/bin/env node
// Stages the build context of the CLI container image (packages/cli/container/cli): packs the CLI
// (pack.mjs) unless a tarball is given, unpacks it into rootfs/opt/kaapana-ext and links
// rootfs/usr/local/bin/kaapana-ext to its bin, so the Dockerfile only copies rootfs/. Usage:
//   node packages/cli/scripts/container-context.mjs [--tarball <kaapana-ext-x.y.z.tgz>] [--out <context dir>]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

const cliDir = resolve(import.meta.dirname, '..');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? resolve(process.argv[i + 1]) : undefined;
};
const context = arg('--out') ?? join(cliDir, 'container', 'cli');
const tarball =
  arg('--tarball') ??
  execFileSync(process.execPath, [join(cliDir, 'scripts', 'pack.mjs')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .at(-1);
const rootfs = join(context, 'rootfs');
const app = join(rootfs, 'opt', 'kaapana-ext');
rmSync(rootfs, { recursive: true, force: true });
mkdirSync(app, { recursive: true });
execFileSync('tar', ['-xzf', tarball, '-C', app, '--strip-components=1', '--no-same-owner']);
mkdirSync(join(rootfs, 'usr', 'local', 'bin'), { recursive: true });
symlinkSync('/opt/kaapana-ext/bin/kaapana-ext.js', join(rootfs, 'usr', 'local', 'bin', 'kaapana-ext'));
mkdirSync(join(rootfs, 'work'), { recursive: true });
console.log(`CLI image context: ${context} (from ${tarball})`);

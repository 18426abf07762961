#!/usr/bin/env node
// Prepares the build context of the offline Node.js base `local-only/node-runtime` (the stand-in for
// a real Node image, which nothing here can pull): copies this machine's own `node` binary and every
// shared library `ldd` lists for it (plus the dynamic loader) into a gitignored `rootfs/` next to the
// stand-in's Dockerfile (`FROM scratch` + `COPY rootfs/ /`). For real use, map the base to a Node
// image with the build-images `base-images` input instead. Usage:
//   node algorithm/container/prepare-node-runtime.mjs [--out <context dir>] [--node <binary>]
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const context =
  arg('--out') ?? join(root, 'examples', 'threshold-segmentation', 'processing-containers', 'node-runtime');
const node = realpathSync(arg('--node') ?? process.execPath);
const rootfs = join(context, 'rootfs');

let lddOut;
try {
  lddOut = execFileSync('ldd', [node], { encoding: 'utf8' });
} catch (e) {
  console.error(`prepare-node-runtime: ldd failed on ${node}: ${e.message}`);
  process.exit(1);
}
// Lines look like "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)".
const libs = new Set();
for (const line of lddOut.split('\n')) {
  const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
  if (m) libs.add(m[1]);
}
if (![...libs].some((l) => l.includes('ld-linux') || l.includes('ld-musl'))) {
  console.error(`prepare-node-runtime: no dynamic loader in ldd output for ${node}:\n${lddOut}`);
  process.exit(1);
}

rmSync(rootfs, { recursive: true, force: true });
const put = (src, dest) => {
  const target = join(rootfs, dest);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(realpathSync(src), target); // the real file under the name the loader asks for
  chmodSync(target, 0o755);
};
put(node, '/usr/local/bin/node');
for (const lib of libs) {
  put(lib, lib);
  // Debian keeps libraries in /lib/<triplet> with /lib a symlink to /usr/lib; offer both paths.
  if (lib.startsWith('/lib/')) put(lib, `/usr${lib}`);
}
mkdirSync(join(rootfs, 'tmp'), { recursive: true });
writeFileSync(join(rootfs, 'tmp', '.keep'), '');
const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
writeFileSync(join(context, 'rootfs.json'), `${JSON.stringify({ node, version, libs: [...libs] }, null, 2)}\n`);
console.log(`node-runtime context: ${relative(root, rootfs)} (node ${version}, ${libs.size} libraries)`);
if (!existsSync(join(context, 'Dockerfile'))) console.warn(`note: no Dockerfile in ${context}`);

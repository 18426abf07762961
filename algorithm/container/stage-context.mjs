#!/usr/bin/env node
// Stages what the processing container needs into its build context (gitignored `app/`): the
// compiled kaapana-otsu CLI (algorithm/bin, lib, package.json) and the
// runtime dependency closure copied from this checkout's node_modules with the same layout (so module
// resolution inside the image is the one tested here), including itk-wasm's .wasm.zst pipelines.
// Browser bundles, source maps and test leftovers of the itk-wasm packages are left out.
// Run `npm run build` first. Usage:
//   npm run container-context -w @kaapana-ext/algorithm [-- --out <dir>]
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const algorithm = join(here, '..');
const root = join(algorithm, '..');
const outArg = process.argv.indexOf('--out');
const target =
  outArg >= 0
    ? process.argv[outArg + 1]
    : join(root, 'examples', 'threshold-segmentation', 'processing-containers', 'otsus-method', 'app');
// Staged next to the target and swapped in at the end, so a concurrent or failed run never leaves a
// half-copied app/ behind.
mkdirSync(dirname(target), { recursive: true });
const out = mkdtempSync(join(dirname(target), '.app-staging-'));

for (const built of [join(algorithm, 'lib', 'cli.js')]) {
  if (!existsSync(built)) {
    console.error(`stage-context: ${relative(root, built)} is missing; run \`npm run build\` at the repository root first`);
    process.exit(1);
  }
}

const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));
const PRUNE = /(\.map$|\.d\.ts$|\.tsbuildinfo$|\/(dist\/bundle|playwright-report|test-results|test|tests|src|docs|examples?)(\/|$))/;
const keep = (src) => !PRUNE.test(src.replaceAll('\\', '/'));


// The CLI itself.
const app = join(out, 'algorithm');
for (const d of ['bin', 'lib']) cpSync(join(algorithm, d), join(app, d), { recursive: true, filter: (s) => !/\.(map|tsbuildinfo)$|\.d\.ts$/.test(s) });
const pkg = readJson(join(algorithm, 'package.json'));
writeFileSync(
  join(app, 'package.json'),
  `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: 'module', bin: pkg.bin, dependencies: pkg.dependencies }, null, 2)}\n`,
);

/** node_modules directory of `name` as Node would find it from `fromDir` (walking up to the root). */
function locate(name, fromDir) {
  for (let d = fromDir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (d === root || dirname(d) === d) return undefined;
  }
}

const copied = new Map();
function copyClosure(deps, fromDir) {
  for (const name of Object.keys(deps ?? {})) {
    if (name.startsWith('@types/')) continue;
    const src = locate(name, fromDir);
    if (!src) throw new Error(`stage-context: dependency ${name} (needed from ${relative(root, fromDir)}) is not installed`);
    if (copied.has(src)) continue;
    const dest = join(out, relative(root, src));
    const manifest = readJson(join(src, 'package.json'));
    copied.set(src, `${manifest.name}@${manifest.version}`);
    cpSync(src, dest, { recursive: true, filter: (s) => !s.slice(src.length).includes('/node_modules') && keep(s.slice(src.length)) });
    copyClosure(manifest.dependencies, src);
    copyClosure(manifest.optionalDependencies, src);
  }
}
// Seed with the algorithm's dependencies; algorithm/node_modules is hoisted to the root.
copyClosure(pkg.dependencies, algorithm);

const packages = [...copied.values()].sort();
writeFileSync(join(out, 'STAGED.json'), `${JSON.stringify({ cli: `${pkg.name}@${pkg.version}`, packages }, null, 2)}\n`);
const old = `${out}-old`;
if (existsSync(target)) renameSync(target, old);
renameSync(out, target);
rmSync(old, { recursive: true, force: true });
console.log(`staged kaapana-otsu + ${packages.length} packages into ${relative(root, target)}`);

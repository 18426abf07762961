#!/usr/bin/env node
// Packs the kaapana-ext CLI as one self-contained npm package (`npm run pack -w kaapana-ext`):
// the CLI and the parts of @kaapana-ext/core and yaml it uses bundled by esbuild into lib/cli.js,
// the five actions' committed ncc bundles and action.yml under actions/ (the CLI runs them as a
// runner does), and a package.json without dependencies, so `npm install <tarball>` needs nothing
// from a registry. The workspace package itself cannot be packed as is: it depends on the
// unpublished @kaapana-ext/core. Usage:
//   node packages/cli/scripts/pack.mjs [--out <dir>]   (prints the tarball path; default out: packages/cli/.pack)
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const cliDir = resolve(import.meta.dirname, '..');
const root = resolve(cliDir, '..', '..');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? resolve(process.argv[i + 1]) : undefined;
};
const ACTIONS = ['build-images', 'package-chart', 'update-collection', 'restart-pod', 'install-extension'];

function packageJson(cli) {
  return {
    name: cli.name,
    version: cli.version,
    description: cli.description,
    license: 'Apache-2.0',
    type: 'module',
    bin: { 'kaapana-ext': 'bin/kaapana-ext.js' },
    engines: { node: '>=20' },
    files: ['bin', 'lib', 'actions', 'README.md', 'LICENSE', 'NOTICE'],
  };
}

/** Licence texts of the third-party packages esbuild put into the bundle (from its metafile). */
function thirdPartyLicenses(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(resolve(root, m[1]));
  }
  const parts = [];
  for (const dir of [...dirs].sort()) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file ? readFileSync(join(dir, file), 'utf8').trim() : '(no licence file in the package)';
    parts.push(`${pkg.name}@${pkg.version}\n${pkg.license ?? ''}\n${text}\n`);
  }
  return parts.join('\n');
}

function bundle(stage) {
  const esbuild = join(root, 'node_modules', '.bin', 'esbuild');
  const meta = join(stage, '..', 'meta.json');
  execFileSync(
    esbuild,
    [
      join(cliDir, 'lib', 'index.js'),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      `--outfile=${join(stage, 'lib', 'cli.js')}`,
      `--metafile=${meta}`,
      '--log-level=warning',
      // CommonJS dependencies (picomatch) call require() for node built-ins.
      "--banner:js=import { createRequire as __kxCreateRequire } from 'node:module'; const require = __kxCreateRequire(import.meta.url);",
    ],
    { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  writeFileSync(join(stage, 'lib', 'licenses.txt'), thirdPartyLicenses(JSON.parse(readFileSync(meta, 'utf8'))));
  rmSync(meta);
}

function copyActions(stage) {
  for (const a of ACTIONS) {
    const from = join(root, `action-${a}`);
    const to = join(stage, 'actions', `action-${a}`);
    mkdirSync(to, { recursive: true });
    copyFileSync(join(from, 'action.yml'), join(to, 'action.yml'));
    cpSync(join(from, 'dist'), join(to, 'dist'), { recursive: true });
  }
}

function stagePackage(stage) {
  const cli = JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8'));
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, 'bin'), { recursive: true });
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(packageJson(cli), null, 2)}\n`);
  writeFileSync(
    join(stage, 'bin', 'kaapana-ext.js'),
    "#!/usr/bin/env node\nimport { main } from '../lib/cli.js';\n\nprocess.exitCode = await main(process.argv.slice(2));\n",
    { mode: 0o755 },
  );
  copyFileSync(join(cliDir, 'README.md'), join(stage, 'README.md'));
  for (const f of ['LICENSE', 'NOTICE']) if (existsSync(join(root, f))) copyFileSync(join(root, f), join(stage, f));
  bundle(stage);
  copyActions(stage);
}

const work = mkdtempSync(join(tmpdir(), 'kx-cli-pack-'));
const stage = join(work, 'package');
const out = arg('--out') ?? join(cliDir, '.pack');
try {
  // The bundle is made from the compiled lib/ of the CLI and core.
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(cliDir, 'tsconfig.json')],
    { cwd: root, stdio: 'inherit' },
  );
  stagePackage(stage);
  mkdirSync(out, { recursive: true });
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: stage, encoding: 'utf8' }),
  );
  console.log(join(out, packed[0].filename));
} finally {
  rmSync(work, { recursive: true, force: true });
}

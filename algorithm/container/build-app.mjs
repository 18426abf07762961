#!/usr/bin/env node
// Builds the app of the kaapana-otsu processing container: an esbuild bundle of the CLI
// (src/main.ts → kaapana-otsu.js, one CommonJS file with every JavaScript dependency but itk-wasm),
// the Otsu helper thread (src/otsu/helper-worker.ts → helper-worker.js), the WebAssembly side
// (src/volume/wasm-pipelines.ts → wasm-pipelines.mjs + chunks, ES modules, itk-wasm inside) with
// itk-wasm's pipeline runner (run-pipeline-emscripten.mjs), and only the WebAssembly pipelines the
// CLI can run (pipelines/: the DICOM series reader, the NRRD, NIfTI and MetaImage readers, the NRRD
// writer). The app must stay within APP_SIZE_LIMIT bytes (the container test and the benchmark check
// it).
// Staged next to the target and swapped in at the end, so a concurrent or failed run never leaves a
// half-built app behind. Reads the TypeScript sources directly (no `npm run build` needed).
//
// The one build entry point for every processing container that runs kaapana-otsu (the examples'
// Dockerfiles COPY the result and run `node /kaapana/app/kaapana-otsu.js`):
//   npm run container-context -w @kaapana-ext/algorithm [-- --out <dir>]
//   (default --out: examples/threshold-segmentation/processing-containers/otsus-method/app)
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Upper bound of the staged app (issue 19: ≤ 40 MB). */
export const APP_SIZE_LIMIT = 40 * 1000 * 1000;

const here = dirname(fileURLToPath(import.meta.url));
const algorithm = join(here, '..');
const root = join(algorithm, '..');
const require = createRequire(join(algorithm, 'package.json'));

/** The WebAssembly pipelines kaapana-otsu can run, by package. */
const PIPELINES = {
  // readDicomSeriesCached (compressed and other non-native DICOM); the SEG writer needs no wasm.
  '@itk-wasm/dicom': (name) => name === 'read-image-dicom-file-series',
  // readImageFile in read-volume.ts (NIfTI/Analyze, MetaImage, NRRD the TypeScript reader declines: one
  // reader per extension) and the NRRD writer for images nrrd-encode.ts does not cover.
  '@itk-wasm/image-io': (name) =>
    ['nrrd-read-image', 'nifti-read-image', 'meta-read-image', 'nrrd-write-image'].includes(name),
};

/** Sum of file sizes under `dir`. */
export function treeBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    n += e.isDirectory() ? treeBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  }
  return n;
}

export async function buildApp(target) {
  mkdirSync(dirname(target), { recursive: true });
  const out = mkdtempSync(join(dirname(target), '.app-staging-'));
  try {
    const pkg = JSON.parse(readFileSync(join(algorithm, 'package.json'), 'utf8'));
    const common = {
      outdir: out,
      bundle: true,
      platform: 'node',
      target: 'node20',
      conditions: ['node'],
      // Parsing is part of every cold start: no whitespace, no comments. Names stay for stack traces.
      minifyWhitespace: true,
      minifySyntax: true,
      legalComments: 'none',
      metafile: true,
      logLevel: 'warning',
      define: { KAAPANA_OTSU_BUNDLE: JSON.stringify({ version: pkg.version }) },
    };
    // The CLI and the helper thread: one CommonJS file each, no chunks. CommonJS because node's CJS
    // loader started it 6–20 ms (CPU) sooner than its ES module loader here. What a run may not
    // need (the SEG writer, the report) is imported lazily in the sources and stays in the file,
    // parsed but not run until used: every further module file would cost a cold start more than
    // pre-parsing that code. The WebAssembly side (wasm-pipelines.ts with itk-wasm, ~¾ of the
    // JavaScript) stays outside: the CLI imports it as ./wasm-pipelines.mjs.
    const cli = await build({
      ...common,
      entryPoints: {
        'kaapana-otsu': join(algorithm, 'src', 'main.ts'),
        'helper-worker': join(algorithm, 'src', 'otsu', 'helper-worker.ts'),
      },
      format: 'cjs',
      splitting: false,
      define: { ...common.define, 'import.meta.url': '__kxImportMetaUrl' },
      banner: { js: "const __kxImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
      plugins: [
        {
          name: 'wasm-side-external',
          setup(b) {
            b.onResolve({ filter: /\/wasm-pipelines\.js$/ }, () => ({ path: './wasm-pipelines.mjs', external: true }));
          },
        },
      ],
    });
    // The WebAssembly side (ES modules, .mjs), loaded on the first file that needs it, and itk-wasm's
    // pipeline runner. Dynamic imports (the @itk-wasm/image-io readers) become chunks loaded on use.
    // Chunks stay beside the entry points: the packages' Node functions find pipelines/ relative to
    // their own module.
    const wasm = await build({
      ...common,
      entryPoints: {
        'wasm-pipelines': join(algorithm, 'src', 'volume', 'wasm-pipelines.ts'),
        'run-pipeline-emscripten': join(
          dirname(require.resolve('itk-wasm')),
          'pipeline',
          'internal',
          'run-pipeline-emscripten.js',
        ),
      },
      format: 'esm',
      outExtension: { '.js': '.mjs' },
      splitting: true,
      chunkNames: 'chunk-[hash]',
      // CommonJS dependencies (mime-types, …) call require() for Node built-ins.
      banner: {
        js: "import { createRequire as __kxCreateRequire } from 'node:module'; const require = __kxCreateRequire(import.meta.url);",
      },
    });
    const pipelines = [];
    mkdirSync(join(out, 'pipelines'));
    for (const [name, wanted] of Object.entries(PIPELINES)) {
      const dir = join(dirname(require.resolve(name)), 'pipelines');
      for (const f of readdirSync(dir)) {
        const base = f.replace(/\.(js|wasm\.zst)$/, '');
        if (base === f || !wanted(base)) continue;
        copyFileSync(join(dir, f), join(out, 'pipelines', f));
        if (f.endsWith('.js')) pipelines.push(`${name}/${base}`);
      }
    }
    writeFileSync(
      join(out, 'package.json'),
      `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: 'commonjs' }, null, 2)}\n`,
    );
    // itk-wasm's pipeline modules are ES modules named .js.
    writeFileSync(join(out, 'pipelines', 'package.json'), `${JSON.stringify({ type: 'module' }, null, 2)}\n`);
    const packages = [
      ...new Set(
        [cli, wasm]
          .flatMap((r) => Object.keys(r.metafile.inputs))
          .flatMap((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1] ?? []),
      ),
    ].sort();
    writeFileSync(
      join(out, 'STAGED.json'),
      `${JSON.stringify({ cli: `${pkg.name}@${pkg.version}`, bundled: packages, pipelines: pipelines.sort() }, null, 2)}\n`,
    );
    const bytes = treeBytes(out);
    if (bytes > APP_SIZE_LIMIT)
      throw new Error(`the staged app is ${bytes} bytes, over the limit of ${APP_SIZE_LIMIT}`);
    const old = `${out}-old`;
    if (existsSync(target)) renameSync(target, old);
    renameSync(out, target);
    rmSync(old, { recursive: true, force: true });
    return { bytes, packages, pipelines };
  } catch (e) {
    rmSync(out, { recursive: true, force: true });
    throw e;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outArg = process.argv.indexOf('--out');
  const target =
    outArg >= 0
      ? process.argv[outArg + 1]
      : join(root, 'examples', 'threshold-segmentation', 'processing-containers', 'otsus-method', 'app');
  const { bytes, packages, pipelines } = await buildApp(target);
  console.log(
    `built kaapana-otsu (${packages.length} packages bundled, ${pipelines.length} wasm pipelines) into ${relative(process.cwd(), target)}: ` +
      `${(bytes / 1e6).toFixed(1)} MB`,
  );
}

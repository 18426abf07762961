// Everything of kaapana-otsu that runs WebAssembly, in one module the rest imports only when a file
// needs it (the container build bundles it apart from the CLI, container/build-app.mjs): image files
// read through @itk-wasm/image-io (readImageFileWasm), and the itk-wasm pipelines the CLI needs (DICOM
// series read, NRRD write) with their WebAssembly modules loaded once per process. The packages' own Node wrappers (readImageDicomFileSeriesNode,
// nrrdWriteImageNode) decompress and compile the .wasm.zst on every call (~0.1 s each); here the
// instantiated module is cached and re-run, as itk-wasm's own web worker does. Arguments are the
// ones those wrappers pass (same pipelines, same files). Uses itk-wasm's runPipelineEmscripten, which
// the package does not export, by file path next to its Node entry (pinned itk-wasm version).
// Files go through the module's in-memory file system (MEMFS), as in itk-wasm's browser build: the
// DICOM files are read with one read each and written into MEMFS under their own absolute paths (so
// GDCM sees the same names and sortedFilenames are the real paths); through a NODEFS mount GDCM's
// small reads turn into hundreds of pread calls per file. A series larger than MEMFS_SERIES_LIMIT
// is read through the NODEFS mount instead (no second in-memory copy of the files; only those without
// preamble go into MEMFS, in the Part-10 form itk-wasm's GDCM needs). The NRRD
// writer writes into MEMFS and the bytes are handed back; write-nrrd.ts puts them on disk.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ZSTDDecoder } from '@thewtex/zstddec';
import type { Image } from 'itk-wasm';
import { bundle } from '../bundle-info.js';
import { withCapturedConsoleSync } from '../captured-console.js';
import { asPart10, hasPreamble } from './dicom-parse.js';

/** itk-wasm's InterfaceTypes values used here (as literals: importing itk-wasm costs ~40 ms). */
const InterfaceTypes = { Image: 'Image', JsonCompatible: 'JsonCompatible' } as const;

interface EmscriptenPipelineModule {
  mountDir(dir: string): string;
  unmountDir(dir: string): void;
  fs_mkdirs(dir: string): void;
  fs_writeFile(path: string, data: Uint8Array): void;
  fs_readFile(path: string, opts?: { encoding: 'binary' }): Uint8Array;
  fs_unlink(path: string): void;
}
interface PipelineResult {
  returnValue: number;
  stderr: string;
  outputs: { type: string; data: unknown }[];
}
type RunPipelineEmscripten = (
  module: EmscriptenPipelineModule,
  args: string[],
  outputs: { type: string }[],
  inputs: { type: string; data: unknown }[],
) => PipelineResult;

/** The pipelines run here and the package each comes from. */
const PIPELINES = {
  'read-image-dicom-file-series': '@itk-wasm/dicom',
  'nrrd-write-image': '@itk-wasm/image-io',
} as const;
type PipelineName = keyof typeof PIPELINES;

/**
 * Path of a pipeline without extension (`.js` + `.wasm.zst` follow): in the package's dist/pipelines
 * in a checkout, in pipelines/ beside the container bundle (where the packages' own Node functions
 * look for them too, since their code is in the bundle).
 */
function pipelinePath(name: PipelineName): string {
  if (bundle) return fileURLToPath(new URL(`./pipelines/${name}`, import.meta.url));
  return join(dirname(createRequire(import.meta.url).resolve(PIPELINES[name])), 'pipelines', name);
}

let runner: Promise<RunPipelineEmscripten> | undefined;
function runPipelineEmscripten(): Promise<RunPipelineEmscripten> {
  // Beside the bundle, the container build emits this itk-wasm module as its own file (.mjs: the
  // container's CLI bundle is CommonJS, its WebAssembly side ES modules).
  const file = bundle
    ? fileURLToPath(new URL('./run-pipeline-emscripten.mjs', import.meta.url))
    : join(
        dirname(createRequire(import.meta.url).resolve('itk-wasm')),
        'pipeline',
        'internal',
        'run-pipeline-emscripten.js',
      );
  runner ??= import(pathToFileURL(file).href).then((m: { default: RunPipelineEmscripten }) => m.default);
  return runner;
}

let decoder: Promise<ZSTDDecoder> | undefined;
const modules = new Map<PipelineName, Promise<EmscriptenPipelineModule>>();

function loadModule(name: PipelineName): Promise<EmscriptenPipelineModule> {
  let m = modules.get(name);
  if (!m) {
    m = (async () => {
      decoder ??= (async () => {
        const d = new ZSTDDecoder();
        await d.init();
        return d;
      })();
      const zst = readFileSync(`${pipelinePath(name)}.wasm.zst`);
      const wasmBinary = (await decoder).decode(new Uint8Array(zst));
      const factory = (await import(pathToFileURL(`${pipelinePath(name)}.js`).href)) as {
        default: (o: { wasmBinary: Uint8Array }) => Promise<EmscriptenPipelineModule>;
      };
      return factory.default({ wasmBinary });
    })();
    modules.set(name, m);
    m.catch(() => modules.delete(name));
  }
  return m;
}

async function run(
  name: PipelineName,
  args: string[],
  outputs: { type: string }[],
  inputs: { type: string; data: unknown }[],
  io: { mountDirs?: Set<string>; memFiles?: Map<string, Uint8Array>; readBack?: string },
): Promise<{ result: PipelineResult; readBack?: Uint8Array }> {
  const [module, exec] = await Promise.all([loadModule(name), runPipelineEmscripten()]);
  const mounted = [...(io.mountDirs ?? [])].map((d) => module.mountDir(d));
  // Only unmount top-most dirs (a parent unmount covers its children), as itk-wasm's runner does.
  const unmount = mounted.filter((x, _, all) => all.every((y) => x === y || !x.includes(y)));
  const written: string[] = [];
  try {
    for (const [path, bytes] of io.memFiles ?? []) {
      module.fs_mkdirs(dirname(path));
      module.fs_writeFile(path, bytes);
      written.push(path);
    }
    if (io.readBack !== undefined) module.fs_mkdirs(dirname(io.readBack));
    // The runner prints to the console when the C++ code throws; that text goes into the error instead.
    const { value: result } = withCapturedConsoleSync(() => exec(module, args, outputs, inputs));
    if (result.returnValue !== 0) throw new Error(result.stderr || `${name} failed with code ${result.returnValue}`);
    if (io.readBack === undefined) return { result };
    const readBack = module.fs_readFile(io.readBack, { encoding: 'binary' });
    return { result, readBack };
  } finally {
    for (const p of written) module.fs_unlink(p);
    if (io.readBack !== undefined) {
      try {
        module.fs_unlink(io.readBack);
      } catch {
        // not written (the pipeline failed before opening it)
      }
    }
    for (const d of new Set(unmount)) module.unmountDir(d);
  }
}

/** Series up to this many bytes of files are read through MEMFS, larger ones through a NODEFS mount. */
export const MEMFS_SERIES_LIMIT = 256 * 2 ** 20;

/**
 * `readImageDicomFileSeriesNode({ inputImages, singleSortedSeries: false })` with a cached module.
 * `memfsLimit` (bytes, default {@link MEMFS_SERIES_LIMIT}) picks MEMFS or the NODEFS mount.
 */
export async function readDicomSeriesCached(
  files: string[],
  memfsLimit = MEMFS_SERIES_LIMIT,
): Promise<{ image: Image; sortedFilenames: unknown }> {
  const args = ['0', '1', '--memory-io', '--input-images', ...files];
  const memFiles = new Map<string, Uint8Array>();
  let total = 0;
  for (const f of files) {
    if (total > memfsLimit) break;
    // A file without preamble goes in as a Part-10 file (see dicom-parse.ts): itk-wasm's GDCM
    // throws on some that ITK 5.2's GDCM reads.
    const bytes = asPart10(readFileSync(f));
    total += bytes.length;
    memFiles.set(f, bytes);
  }
  if (total <= memfsLimit) {
    const { result: r } = await run('read-image-dicom-file-series', args, SERIES_OUTPUTS, [], { memFiles });
    return { image: r.outputs[0]!.data as Image, sortedFilenames: r.outputs[1]?.data };
  }
  // Through the NODEFS mount GDCM reads the files as they are; one without preamble goes into MEMFS
  // as its Part-10 form instead, under a path of its own (not inside a mounted directory).
  const inModule = new Map<string, string>();
  const rewritten = new Map<string, Uint8Array>();
  for (const f of files) {
    if (startsWithPreamble(f)) continue;
    inModule.set(f, `${PART10_DIR}${f}`);
    rewritten.set(`${PART10_DIR}${f}`, asPart10(readFileSync(f)));
  }
  const mountDirs = new Set(files.filter((f) => !inModule.has(f)).map((f) => dirname(f)));
  const { result: r } = await run(
    'read-image-dicom-file-series',
    ['0', '1', '--memory-io', '--input-images', ...files.map((f) => inModule.get(f) ?? f)],
    SERIES_OUTPUTS,
    [],
    { mountDirs, memFiles: rewritten },
  );
  const sorted = r.outputs[1]?.data;
  const back = new Map([...inModule].map(([f, p]) => [p, f]));
  return {
    image: r.outputs[0]!.data as Image,
    sortedFilenames: Array.isArray(sorted) ? sorted.map((p: unknown) => back.get(p as string) ?? p) : sorted,
  };
}

const SERIES_OUTPUTS = [{ type: InterfaceTypes.Image }, { type: InterfaceTypes.JsonCompatible }];
/** Where a large series' files without preamble are put, as Part-10 files, in the module's MEMFS. */
const PART10_DIR = '/kx-part10';

function startsWithPreamble(file: string): boolean {
  const head = new Uint8Array(132);
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, head, 0, 132, 0) === 132 && hasPreamble(head);
  } finally {
    closeSync(fd);
  }
}

/**
 * `nrrdWriteImageNode(image, name, { useCompression: true })` with a cached module, written into
 * MEMFS; returns the file's bytes. `name` is a bare file name ending in .nrrd (it picks the ImageIO).
 */
export async function writeNrrdCached(image: Image, name: string): Promise<Uint8Array> {
  const file = `/kx-nrrd-out/${name}`;
  const { result: r, readBack } = await run(
    'nrrd-write-image',
    ['0', '0', file, '--memory-io', '--use-compression'],
    [{ type: InterfaceTypes.JsonCompatible }],
    [{ type: InterfaceTypes.Image, data: image }],
    { readBack: file },
  );
  if (r.outputs[0]?.data === false || !readBack) throw new Error('NRRDImageIO could not write the file');
  return readBack;
}

/**
 * `input` read by the ITK ImageIO its extension `ext` names — what @itk-wasm/image-io's readImageNode
 * picks for these extensions (`.img` of an Analyze pair: NiftiImageIO, which ITK uses for it;
 * readImageNode would try every reader), so the container ships only these three reader pipelines.
 */
export async function readImageFileWasm(input: string, ext: string): Promise<Image> {
  const io = await import('@itk-wasm/image-io');
  const reader =
    ext === 'nrrd' || ext === 'nhdr'
      ? io.nrrdReadImageNode
      : ext === 'mha' || ext === 'mhd'
        ? io.metaReadImageNode
        : io.niftiReadImageNode;
  const { couldRead, image } = await reader(input);
  if (!couldRead) throw new Error(`Could not read: ${input}`);
  return image;
}

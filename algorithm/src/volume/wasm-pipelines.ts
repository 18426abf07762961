// Runs the itk-wasm pipelines the CLI needs (DICOM series read, NRRD write) with their WebAssembly
// modules loaded once per process. The packages' own Node wrappers (readImageDicomFileSeriesNode,
// nrrdWriteImageNode) decompress and compile the .wasm.zst on every call (~0.1 s each); here the
// instantiated module is cached and re-run, as itk-wasm's own web worker does. Arguments are the
// ones those wrappers pass (same pipelines, same files). Uses itk-wasm's runPipelineEmscripten, which
// the package does not export, by file path next to its Node entry (pinned itk-wasm version).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ZSTDDecoder } from '@thewtex/zstddec';
import { InterfaceTypes, type Image } from 'itk-wasm';

interface EmscriptenPipelineModule {
  mountDir(dir: string): string;
  unmountDir(dir: string): void;
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

const require = createRequire(import.meta.url);
const itkWasmDist = dirname(require.resolve('itk-wasm'));
const PIPELINES = {
  'read-image-dicom-file-series': join(dirname(require.resolve('@itk-wasm/dicom')), 'pipelines', 'read-image-dicom-file-series'),
  'nrrd-write-image': join(dirname(require.resolve('@itk-wasm/image-io')), 'pipelines', 'nrrd-write-image'),
} as const;
type PipelineName = keyof typeof PIPELINES;

let runner: Promise<RunPipelineEmscripten> | undefined;
function runPipelineEmscripten(): Promise<RunPipelineEmscripten> {
  runner ??= import(pathToFileURL(join(itkWasmDist, 'pipeline', 'internal', 'run-pipeline-emscripten.js')).href).then(
    (m: { default: RunPipelineEmscripten }) => m.default,
  );
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
      const zst = await readFile(`${PIPELINES[name]}.wasm.zst`);
      const wasmBinary = (await decoder).decode(new Uint8Array(zst));
      const factory = (await import(pathToFileURL(`${PIPELINES[name]}.js`).href)) as {
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
  mountDirs: Set<string>,
): Promise<PipelineResult> {
  const [module, exec] = await Promise.all([loadModule(name), runPipelineEmscripten()]);
  const mounted = [...mountDirs].map((d) => module.mountDir(d));
  // Only unmount top-most dirs (a parent unmount covers its children), as itk-wasm's runner does.
  const unmount = mounted.filter((x, _, all) => all.every((y) => x === y || !x.includes(y)));
  try {
    const result = exec(module, args, outputs, inputs);
    if (result.returnValue !== 0) throw new Error(result.stderr || `${name} failed with code ${result.returnValue}`);
    return result;
  } finally {
    for (const d of new Set(unmount)) module.unmountDir(d);
  }
}

/** `readImageDicomFileSeriesNode({ inputImages, singleSortedSeries: false })` with a cached module. */
export async function readDicomSeriesCached(files: string[]): Promise<{ image: Image; sortedFilenames: unknown }> {
  const args = ['0', '1', '--memory-io', '--input-images', ...files];
  const r = await run(
    'read-image-dicom-file-series',
    args,
    [{ type: InterfaceTypes.Image }, { type: InterfaceTypes.JsonCompatible }],
    [],
    new Set(files.map((f) => dirname(f))),
  );
  return { image: r.outputs[0]!.data as Image, sortedFilenames: r.outputs[1]?.data };
}

/** `nrrdWriteImageNode(image, file, { useCompression: true })` with a cached module. */
export async function writeNrrdCached(image: Image, file: string): Promise<void> {
  const r = await run(
    'nrrd-write-image',
    ['0', '0', file, '--memory-io', '--use-compression'],
    [{ type: InterfaceTypes.JsonCompatible }],
    [{ type: InterfaceTypes.Image, data: image }],
    new Set([dirname(file)]),
  );
  if (r.outputs[0]?.data === false) throw new Error('NRRDImageIO could not write the file');
}

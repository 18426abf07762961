// Test helper: an independent look into a DICOM file through dcmtk's `dcm2json` (PS3.18 JSON model),
// and the dicom3tools validator `dciodvfy`. Neither shares code with dcmqi/itk-wasm.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type DicomJson = Record<string, { vr: string; Value?: unknown[]; InlineBinary?: string }>;

export async function dcm2json(file: string): Promise<DicomJson> {
  const { stdout } = await run('dcm2json', [file], { maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(stdout) as DicomJson;
}

/** Value of a tag path, e.g. `value(ds, '52009230', 0, '00209113', 0, '00200032')`. */
export function value(ds: DicomJson, ...path: (string | number)[]): unknown[] {
  let node: unknown = ds;
  for (let i = 0; i < path.length; i++) {
    const step = path[i]!;
    if (typeof step === 'string') {
      const el = (node as DicomJson)[step.toUpperCase()];
      if (!el) throw new Error(`no element ${step} at ${path.slice(0, i).join('/')}`);
      node = el.Value ?? [];
      if (i === path.length - 1) return node as unknown[];
    } else {
      node = (node as unknown[])[step];
      if (node === undefined) throw new Error(`no item ${step} at ${path.slice(0, i).join('/')}`);
    }
  }
  return node as unknown[];
}

export function first(ds: DicomJson, ...path: (string | number)[]): unknown {
  return value(ds, ...path)[0];
}

export function inlineBinary(ds: DicomJson, tag: string): Buffer {
  const b64 = ds[tag.toUpperCase()]?.InlineBinary;
  if (b64 === undefined) throw new Error(`no inline binary ${tag}`);
  return Buffer.from(b64, 'base64');
}

export interface Validation {
  errors: string[];
  warnings: string[];
  output: string;
}

/** `dciodvfy` (dicom3tools): IOD, module and attribute checks; sorts its lines into errors/warnings. */
export async function dciodvfy(file: string): Promise<Validation> {
  const r = await run('dciodvfy', [file]).catch((e: { stdout?: string; stderr?: string }) => ({
    stdout: e.stdout ?? '',
    stderr: e.stderr ?? '',
  }));
  const output = `${r.stdout}${r.stderr}`;
  const lines = output.split('\n').map((l) => l.trim());
  return {
    errors: lines.filter((l) => /^Error/i.test(l)),
    warnings: lines.filter((l) => /^Warning/i.test(l)),
    output,
  };
}

// Reads an action's `action.yml` into the typed description the CLI derives everything from:
// command options, `--help` text, defaults and the entry points to run. It owns the metadata
// format only; running the action is run-action.ts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KxError } from '@kaapana-ext/core';
import { isMap, isScalar, parseDocument, type Document } from 'yaml';

export interface ActionInput {
  name: string;
  description: string;
  required: boolean;
  /** The literal default of action.yml (may contain `${{ }}` expressions). */
  default?: string;
  deprecationMessage?: string;
}

export interface ActionOutput {
  name: string;
  description: string;
}

export interface ActionMetadata {
  /** Folder that holds action.yml. */
  dir: string;
  file: string;
  name: string;
  description: string;
  inputs: ActionInput[];
  outputs: ActionOutput[];
  /** Absolute path of the main entry (runs.main). */
  main: string;
  /** Absolute path of the post entry, when the action has one. */
  post?: string;
  /** runs.post-if, default `always()` as on the runner. */
  postIf: string;
}

function lineOf(doc: Document, text: string, node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  if (!range) return undefined;
  return text.slice(0, range[0]).split('\n').length;
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Load and check `<dir>/action.yml` (or `action.yaml`). */
export async function loadActionMetadata(dir: string): Promise<ActionMetadata> {
  const { file, text } = await readActionFile(dir);
  const { doc, meta } = parseMapping(file, text);
  const runs = meta.runs as Record<string, unknown> | undefined;
  const main = str(runs?.main);
  if (!runs || !main) {
    throw new KxError('action.yml has no runs.main: only JavaScript actions can be run by the CLI', {
      file,
      line: lineOf(doc, text, doc.get('runs', true)),
    });
  }
  const post = str(runs.post);
  const result: ActionMetadata = {
    dir,
    file,
    name: str(meta.name) ?? dir,
    description: (str(meta.description) ?? '').trim(),
    inputs: readInputs(doc),
    outputs: readOutputs(meta),
    main: join(dir, main),
    postIf: str(runs['post-if']) ?? 'always()',
  };
  if (post) result.post = join(dir, post);
  return result;
}

/** `<dir>/action.yml`, else `<dir>/action.yaml`; the error names action.yml. */
async function readActionFile(dir: string): Promise<{ file: string; text: string }> {
  const file = join(dir, 'action.yml');
  try {
    return { file, text: await readFile(file, 'utf8') };
  } catch {
    const yaml = join(dir, 'action.yaml');
    try {
      return { file: yaml, text: await readFile(yaml, 'utf8') };
    } catch {
      throw new KxError(`no action.yml in ${dir}: is the action built and checked out?`, { file });
    }
  }
}

/** The parsed document and its top-level mapping; refuses invalid YAML (with its line) and a non-mapping. */
function parseMapping(file: string, text: string): { doc: Document; meta: Record<string, unknown> } {
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new KxError(`invalid YAML: ${e.message.split('\n')[0]}`, { file, line: e.linePos?.[0]?.line });
  }
  const root: unknown = doc.toJS();
  if (!root || typeof root !== 'object') throw new KxError('action.yml is not a mapping', { file, line: 1 });
  return { doc, meta: root as Record<string, unknown> };
}

/** The inputs in the order of action.yml (from the document, which keeps it). */
function readInputs(doc: Document): ActionInput[] {
  const inputs: ActionInput[] = [];
  const inputsNode = doc.get('inputs', true);
  if (!isMap(inputsNode)) return inputs;
  for (const pair of inputsNode.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (!name) continue;
    const spec = ((pair.value && isMap(pair.value) ? pair.value.toJSON() : {}) ?? {}) as Record<string, unknown>;
    const input: ActionInput = {
      name,
      description: (str(spec.description) ?? '').trim(),
      required: spec.required === true || spec.required === 'true',
    };
    const def = str(spec.default);
    if (def !== undefined) input.default = def;
    const dep = str(spec.deprecationMessage);
    if (dep !== undefined) input.deprecationMessage = dep;
    inputs.push(input);
  }
  return inputs;
}

function readOutputs(meta: Record<string, unknown>): ActionOutput[] {
  return Object.entries((meta.outputs ?? {}) as Record<string, unknown>).map(([name, spec]) => ({
    name,
    description: (str((spec as Record<string, unknown> | null)?.description) ?? '').trim(),
  }));
}

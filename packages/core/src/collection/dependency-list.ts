// Reading and validating a chart's dependency list (`requirements.yaml` for apiVersion v1,
// `Chart.yaml` `dependencies` for v2) with the `yaml` library's Document API: syntax errors,
// wrong shapes and duplicate entries become one KxError naming the file and line. It does not
// edit anything (see dependency-edit.ts) and does not resolve or download charts (chart engine).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import { KxError } from '../errors/index.js';

/** One `- name: … / version: … / repository: …` entry of a dependency list. */
export interface DependencyEntry {
  name: string;
  version: string;
  /** `file://…`, a repository URL or alias; absent in the 0.6.0 style. */
  repository?: string;
}

/** A dependency as found in a file, with the 1-based line of its `name`. */
export interface ListedDependency extends DependencyEntry {
  alias?: string;
  line: number;
}

/** Where a chart keeps its dependencies, and what its Chart.yaml says about itself. */
export interface DependencyFileLocation {
  /** Path of `requirements.yaml` (v1) or `Chart.yaml` (v2). */
  path: string;
  apiVersion: 'v1' | 'v2';
  chartName: string;
  /** `version` of Chart.yaml as written (a string even when YAML would read a number). */
  chartVersion: string;
}

/** Parse one YAML document, turning syntax errors and multi-document files into a KxError. */
export function parseSingleDocument(text: string, file: string) {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const line = lineCounter.linePos(err.pos[0]).line;
      throw new KxError(`invalid YAML: ${err.message.split('\n')[0]}`, { file, line });
    }
  }
  if (list.length > 1) {
    const second = list[1]!;
    const line = lineCounter.linePos(second.range[0]).line;
    throw new KxError('expected a single YAML document, found several', { file, line });
  }
  const lineOf = (node: Node | null | undefined): number | undefined =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  return { doc: list[0], lineOf };
}

function scalarString(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (typeof v === 'string') return v;
  // Helm reads these fields as strings; a plain `1.0` is still meant as a version, keep its source.
  if (typeof v === 'number' || typeof v === 'boolean') return node.source ?? String(v);
  return undefined;
}

/**
 * The dependencies listed in `text` (a requirements.yaml or v2 Chart.yaml). An absent or empty
 * `dependencies` gives `[]`. Malformed YAML, a non-list `dependencies`, an entry without a name
 * and two entries with the same name (or alias) are KxErrors with the file and line.
 */
export function readDependencyList(text: string, file: string): ListedDependency[] {
  const { doc, lineOf } = parseSingleDocument(text, file);
  const root = doc?.contents;
  if (root === null || root === undefined || (isScalar(root) && root.value === null)) return [];
  if (!isMap(root)) throw new KxError('expected a mapping at the top level', { file, line: lineOf(root) ?? 1 });
  const depsPair = root.items.find((p) => isScalar(p.key) && p.key.value === 'dependencies');
  const deps = depsPair?.value;
  if (deps === null || deps === undefined || (isScalar(deps) && deps.value === null)) return [];
  if (!isSeq(deps)) {
    throw new KxError('`dependencies` must be a list', {
      file,
      line: lineOf(deps as Node) ?? lineOf(depsPair?.key as Node),
    });
  }
  const out: ListedDependency[] = [];
  const seen = new Map<string, number>();
  for (const item of deps.items) {
    const itemLine = lineOf(item as Node);
    if (!isMap(item))
      throw new KxError('each dependency must be a mapping with `name` and `version`', { file, line: itemLine });
    const get = (key: string) => item.items.find((p) => isScalar(p.key) && p.key.value === key);
    const namePair = get('name');
    const name = scalarString(namePair?.value);
    if (!name) throw new KxError('dependency without a `name`', { file, line: itemLine });
    const line = lineOf(namePair!.value as Node) ?? itemLine ?? 1;
    const version = scalarString(get('version')?.value) ?? '';
    const repository = scalarString(get('repository')?.value);
    const alias = scalarString(get('alias')?.value);
    const key = alias || name;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new KxError(`duplicate dependency "${key}" (first listed on line ${first})`, { file, line });
    }
    seen.set(key, line);
    const entry: ListedDependency = { name, version, line };
    if (repository !== undefined) entry.repository = repository;
    if (alias !== undefined) entry.alias = alias;
    out.push(entry);
  }
  return out;
}

/**
 * Read `<chartDir>/Chart.yaml` and tell which file holds the dependency list: `requirements.yaml`
 * for apiVersion v1 (the default when absent, as in Helm), `Chart.yaml` for v2.
 */
export async function locateDependencyFile(chartDir: string): Promise<DependencyFileLocation> {
  const chartYaml = join(chartDir, 'Chart.yaml');
  let text: string;
  try {
    text = await readFile(chartYaml, 'utf8');
  } catch (e) {
    throw new KxError(`cannot read the collection's Chart.yaml (${(e as NodeJS.ErrnoException).code ?? String(e)})`, {
      file: chartYaml,
    });
  }
  const { doc, lineOf } = parseSingleDocument(text, chartYaml);
  const root = doc?.contents;
  if (!isMap(root)) throw new KxError('Chart.yaml must be a mapping', { file: chartYaml, line: 1 });
  const field = (key: string) => {
    const pair = root.items.find((p) => isScalar(p.key) && p.key.value === key);
    return { value: scalarString(pair?.value), line: lineOf(pair?.key as Node) };
  };
  const api = field('apiVersion');
  const apiVersion = api.value ?? 'v1';
  if (apiVersion !== 'v1' && apiVersion !== 'v2') {
    throw new KxError(`unsupported chart apiVersion "${apiVersion}" (expected v1 or v2)`, {
      file: chartYaml,
      line: api.line,
    });
  }
  const name = field('name');
  if (!name.value) throw new KxError('Chart.yaml has no `name`', { file: chartYaml, line: 1 });
  const version = field('version');
  if (!version.value) throw new KxError('Chart.yaml has no `version`', { file: chartYaml, line: 1 });
  return {
    path: apiVersion === 'v1' ? join(chartDir, 'requirements.yaml') : chartYaml,
    apiVersion,
    chartName: name.value,
    chartVersion: version.value,
  };
}

// Reading Chart.yaml, requirements.yaml and Chart.lock/requirements.lock into the model the way helm's
// `sigs.k8s.io/yaml.Unmarshal` does: YAML 1.1 scalars, unknown fields dropped, JSON field names
// matched case-insensitively, numbers and booleans turned into strings for string fields (a YAML
// float goes through float32 formatting, so `1.10` becomes "1.1" as in helm), type errors reported
// with the line they are on. Also the writers of Chart.yaml and lock files (through yaml-v2-writer).
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import { KxError } from '../errors/index.js';
import type { Dependency, Lock, Maintainer, Metadata } from './model.js';
import { APIVersionV1 } from './model.js';
import { marshalGoYaml } from './yaml-v2-writer.js';

/** Where things are in a parsed YAML file: dotted paths (`version`, `dependencies[1].alias`) → line. */
export type LineIndex = Map<string, number>;

export interface Parsed<T> {
  value: T;
  lines: LineIndex;
}

interface Ctx {
  file: string;
  what: string;
  lc: LineCounter;
  lines: LineIndex;
}

const GO_INT_SOURCE = /^[-+]?(0[xX][0-9a-fA-F_]+|0[oObB]?[0-9_]*|[1-9][0-9_]*)$/;

/** Go's strconv.FormatFloat(f, 'g', -1, 32), what sigs.k8s.io/yaml uses to stringify YAML floats. */
export function formatFloat32(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  const f32 = Math.fround(f);
  if (f32 === 0) return Object.is(f32, -0) ? '-0' : '0';
  let shortest = f32.toPrecision(9);
  for (let p = 1; p <= 9; p++) {
    const s = f32.toPrecision(p);
    if (Math.fround(Number(s)) === f32) {
      shortest = s;
      break;
    }
  }
  const [mant = '', expText = '0'] = Number(shortest).toExponential().split('e');
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${neg ? '-' : ''}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  const decimals = Math.max(digits.length - (exp + 1), 0);
  return `${neg ? '-' : ''}${Math.abs(Number(shortest)).toFixed(decimals)}`;
}

function lineOf(ctx: Ctx, node: Node | null | undefined): number | undefined {
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : ctx.lc.linePos(offset).line;
}

function kind(node: Node | null | undefined): string {
  if (!node) return 'null';
  if (isMap(node)) return 'object';
  if (isSeq(node)) return 'array';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'null';
    if (typeof v === 'number') return 'number';
    if (typeof v === 'boolean') return 'bool';
    return 'string';
  }
  return 'value';
}

function typeError(ctx: Ctx, node: Node | null | undefined, field: string, want: string): KxError {
  return new KxError(
    `cannot load ${ctx.what}: field "${field}" must be ${want}, found ${kind(node) === 'object' ? 'a mapping' : kind(node) === 'array' ? 'a list' : `a ${kind(node)}`}`,
    { file: ctx.file, line: lineOf(ctx, node) },
  );
}

/** A scalar as a Go string field receives it (undefined for null). */
function asString(ctx: Ctx, node: Node | null | undefined, field: string): string | undefined {
  if (!node) return undefined;
  if (!isScalar(node)) throw typeError(ctx, node, field, 'a string');
  const v = node.value;
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    const src = (node.source ?? '').trim();
    // The yaml library's 1.1 schema reads `.` (and `+.`, `-.`) as a float (NaN); go-yaml's float rule
    // needs a digit, so helm sees the string "." (and refuses it as a chart name).
    if (!/[0-9]/.test(src) && !/^[-+]?\.(inf|nan)$/i.test(src)) return src;
    if (GO_INT_SOURCE.test(src) && Number.isInteger(v)) return String(v);
    return formatFloat32(v);
  }
  if (v instanceof Date) return node.source ?? v.toISOString();
  return String(v);
}

function asBool(ctx: Ctx, node: Node | null | undefined, field: string): boolean | undefined {
  if (!node) return undefined;
  if (!isScalar(node) || (node.value !== null && typeof node.value !== 'boolean'))
    throw typeError(ctx, node, field, 'a boolean');
  return node.value === null ? undefined : (node.value as boolean);
}

function asStringList(ctx: Ctx, node: Node | null | undefined, field: string): string[] | undefined {
  if (!node || (isScalar(node) && node.value === null)) return undefined;
  if (!isSeq(node)) throw typeError(ctx, node, field, 'a list');
  return node.items.map((item, i) => asString(ctx, item as Node, `${field}[${i}]`) ?? '');
}

/** Match YAML keys to struct fields like encoding/json: exact name first, then case-insensitive. */
function fieldPairs(
  ctx: Ctx,
  node: Node,
  fields: readonly string[],
  where: string,
): Map<string, Pair<Node, Node | null>> {
  if (!isMap(node)) throw typeError(ctx, node, where || 'document', 'a mapping');
  const out = new Map<string, Pair<Node, Node | null>>();
  for (const pair of node.items as Pair<Node, Node | null>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const field = fields.includes(key) ? key : fields.find((f) => f.toLowerCase() === key.toLowerCase());
    if (field) out.set(field, pair);
  }
  return out;
}

function record(ctx: Ctx, path: string, pair: Pair<Node, Node | null> | undefined): void {
  const line = lineOf(ctx, pair?.key as Node | undefined);
  if (line !== undefined) ctx.lines.set(path, line);
}

const MAINTAINER_FIELDS = ['name', 'email', 'url'] as const;
const DEPENDENCY_FIELDS = [
  'name',
  'version',
  'repository',
  'condition',
  'tags',
  'enabled',
  'import-values',
  'alias',
] as const;
const METADATA_FIELDS = [
  'name',
  'home',
  'sources',
  'version',
  'description',
  'keywords',
  'maintainers',
  'icon',
  'apiVersion',
  'condition',
  'tags',
  'appVersion',
  'deprecated',
  'annotations',
  'kubeVersion',
  'dependencies',
  'type',
] as const;

function parseDependency(ctx: Ctx, node: Node | null | undefined, path: string): Dependency | null {
  if (!node || (isScalar(node) && node.value === null)) return null;
  const f = fieldPairs(ctx, node, DEPENDENCY_FIELDS, path);
  for (const [k, p] of f) record(ctx, `${path}.${k}`, p);
  const dep: Dependency = { name: asString(ctx, f.get('name')?.value, `${path}.name`) ?? '', repository: '' };
  const set = <K extends keyof Dependency>(k: K, v: Dependency[K] | undefined) => {
    if (v !== undefined) dep[k] = v;
  };
  set('version', asString(ctx, f.get('version')?.value, `${path}.version`));
  set('repository', asString(ctx, f.get('repository')?.value, `${path}.repository`) ?? '');
  set('condition', asString(ctx, f.get('condition')?.value, `${path}.condition`));
  set('tags', asStringList(ctx, f.get('tags')?.value, `${path}.tags`));
  set('enabled', asBool(ctx, f.get('enabled')?.value, `${path}.enabled`));
  const iv = f.get('import-values')?.value;
  if (iv && !(isScalar(iv) && iv.value === null)) {
    if (!isSeq(iv)) throw typeError(ctx, iv, `${path}.import-values`, 'a list');
    dep['import-values'] = iv.toJSON() as unknown[];
  }
  set('alias', asString(ctx, f.get('alias')?.value, `${path}.alias`));
  return dep;
}

function parseDependencyList(ctx: Ctx, node: Node | null | undefined, path: string): (Dependency | null)[] | undefined {
  if (!node || (isScalar(node) && node.value === null)) return undefined;
  if (!isSeq(node)) throw typeError(ctx, node, path, 'a list');
  return node.items.map((item, i) => {
    const line = lineOf(ctx, item as Node);
    if (line !== undefined) ctx.lines.set(`${path}[${i}]`, line);
    return parseDependency(ctx, item as Node, `${path}[${i}]`);
  });
}

function parseMaintainer(ctx: Ctx, node: Node | null | undefined, path: string): Maintainer | null {
  if (!node || (isScalar(node) && node.value === null)) return null;
  const f = fieldPairs(ctx, node, MAINTAINER_FIELDS, path);
  const m: Maintainer = {};
  for (const k of MAINTAINER_FIELDS) {
    const v = asString(ctx, f.get(k)?.value, `${path}.${k}`);
    if (v !== undefined) m[k] = v;
  }
  return m;
}

function parseYamlDoc(text: string, file: string, what: string): { root: Node | null; ctx: Ctx } {
  const lc = new LineCounter();
  const doc = parseDocument(text, {
    version: '1.1',
    lineCounter: lc,
    uniqueKeys: false,
    prettyErrors: false,
    customTags: (tags) => tags.filter((t) => (typeof t === 'object' ? !String(t.tag).endsWith(':timestamp') : true)),
  });
  const ctx: Ctx = { file, what, lc, lines: new Map() };
  const err = doc.errors[0];
  if (err) {
    const line =
      err.linePos?.[0]?.line ?? lineOf(ctx, { range: [err.pos[0], err.pos[1], err.pos[1]] } as unknown as Node);
    throw new KxError(`cannot load ${what}: error converting YAML to JSON: ${err.message.split('\n')[0]}`, {
      file,
      line,
    });
  }
  return { root: (doc.contents as Node | null) ?? null, ctx };
}

const isNullNode = (n: Node | null) => !n || (isScalar(n) && n.value === null);

/**
 * Unmarshal `text` over `into` (helm unmarshals requirements.yaml over the metadata of Chart.yaml).
 * `file` is the path used in error messages; `what` is e.g. "Chart.yaml".
 */
export function parseMetadata(text: string, file: string, what = 'Chart.yaml', into: Metadata = {}): Parsed<Metadata> {
  const { root, ctx } = parseYamlDoc(text, file, what);
  const md = into;
  if (isNullNode(root)) return { value: md, lines: ctx.lines };
  const f = fieldPairs(ctx, root as Node, METADATA_FIELDS, '');
  for (const [k, p] of f) record(ctx, k, p);
  for (const k of METADATA_STRING_FIELDS) {
    if (!f.has(k)) continue;
    const v = asString(ctx, f.get(k)?.value, k);
    if (v === undefined) delete md[k];
    else md[k] = v;
  }
  if (f.has('sources')) md.sources = asStringList(ctx, f.get('sources')?.value, 'sources');
  if (f.has('keywords')) md.keywords = asStringList(ctx, f.get('keywords')?.value, 'keywords');
  if (f.has('deprecated')) md.deprecated = asBool(ctx, f.get('deprecated')?.value, 'deprecated');
  if (f.has('maintainers')) md.maintainers = parseMaintainers(ctx, f.get('maintainers')?.value);
  if (f.has('annotations')) md.annotations = parseAnnotations(ctx, f.get('annotations')?.value);
  if (f.has('dependencies')) md.dependencies = parseDependencyList(ctx, f.get('dependencies')?.value, 'dependencies');
  for (const k of Object.keys(md) as (keyof Metadata)[]) if (md[k] === undefined) delete md[k];
  return { value: md, lines: ctx.lines };
}

/** The string fields of Metadata, in the order helm's struct declares them. */
const METADATA_STRING_FIELDS = [
  'name',
  'home',
  'version',
  'description',
  'icon',
  'apiVersion',
  'condition',
  'tags',
  'appVersion',
  'kubeVersion',
  'type',
] as const;

/** `maintainers`: null (unset) or a list of maintainers. */
function parseMaintainers(ctx: Ctx, node: Node | null | undefined): (Maintainer | null)[] | undefined {
  if (isNullNode(node ?? null)) return undefined;
  if (!isSeq(node)) throw typeError(ctx, node, 'maintainers', 'a list');
  return node.items.map((item, i) => parseMaintainer(ctx, item as Node, `maintainers[${i}]`));
}

/** `annotations`: null (unset) or a mapping whose values become strings. */
function parseAnnotations(ctx: Ctx, node: Node | null | undefined): Record<string, string> | undefined {
  if (isNullNode(node ?? null)) return undefined;
  fieldPairs(ctx, node as Node, [], 'annotations');
  const out: Record<string, string> = {};
  for (const pair of (node as unknown as { items: Pair<Node, Node | null>[] }).items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    out[key] = asString(ctx, pair.value, `annotations.${key}`) ?? '';
  }
  return out;
}

/** Parse Chart.lock / requirements.lock. */
export function parseLock(text: string, file: string, what = 'Chart.lock'): Parsed<Lock> {
  const { root, ctx } = parseYamlDoc(text, file, what);
  const lock: Lock = { generated: '', digest: '', dependencies: [] };
  if (isNullNode(root)) return { value: lock, lines: ctx.lines };
  const f = fieldPairs(ctx, root as Node, ['generated', 'digest', 'dependencies'], '');
  lock.generated = asString(ctx, f.get('generated')?.value, 'generated') ?? '';
  lock.digest = asString(ctx, f.get('digest')?.value, 'digest') ?? '';
  lock.dependencies = (parseDependencyList(ctx, f.get('dependencies')?.value, 'dependencies') ?? []).filter(
    (d): d is Dependency => d !== null,
  );
  return { value: lock, lines: ctx.lines };
}

/** Chart.yaml bytes as helm's `yaml.Marshal(chart.Metadata)` writes them (v1: no dependencies). */
export function serializeMetadata(md: Metadata): string {
  const m: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => {
    if (v === undefined || v === null || v === '' || v === false) return;
    if (Array.isArray(v) && v.length === 0) return;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) return;
    m[k] = v;
  };
  put('name', md.name);
  put('home', md.home);
  put('sources', md.sources);
  put('version', md.version);
  put('description', md.description);
  put('keywords', md.keywords);
  put(
    'maintainers',
    md.maintainers?.map((x) => (x === null ? null : dropEmpty({ name: x.name, email: x.email, url: x.url }))),
  );
  put('icon', md.icon);
  put('apiVersion', md.apiVersion);
  put('condition', md.condition);
  put('tags', md.tags);
  put('appVersion', md.appVersion);
  put('deprecated', md.deprecated);
  put('annotations', md.annotations);
  put('kubeVersion', md.kubeVersion);
  if (md.apiVersion !== APIVersionV1) put('dependencies', md.dependencies?.map(dependencyForYaml));
  put('type', md.type);
  return marshalGoYaml(m);
}

function dropEmpty(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

function dependencyForYaml(d: Dependency | null): Record<string, unknown> | null {
  if (d === null) return null;
  return {
    ...dropEmpty({
      version: d.version,
      condition: d.condition,
      tags: d.tags,
      enabled: d.enabled,
      'import-values': d['import-values'],
      alias: d.alias,
    }),
    name: d.name ?? '',
    repository: d.repository ?? '',
  };
}

/** Chart.lock bytes as helm writes them. */
export function serializeLock(lock: Lock): string {
  return marshalGoYaml({
    dependencies: lock.dependencies.map(dependencyForYaml),
    digest: lock.digest,
    generated: lock.generated,
  });
}

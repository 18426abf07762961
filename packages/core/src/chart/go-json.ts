// Compact JSON as Go's encoding/json writes it for helm's structs: fields in struct order, `omitempty`
// honoured, map keys sorted, `<`, `>`, `&`, U+2028/U+2029 escaped. Used where helm hashes or stores
// JSON (the Chart.lock digest, the OCI config blob), so the bytes must match Go's exactly.
import type { Dependency, Maintainer, Metadata } from './model.js';

function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** Go's encoding of an arbitrary decoded-JSON value (`interface{}`): maps sorted by key. */
export function goJsonValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(goJsonValue).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `{${keys.map((k) => `${goString(k)}:${goJsonValue(o[k])}`).join(',')}}`;
}

type Field = [name: string, value: unknown, omitEmpty: boolean];

function goStruct(fields: Field[]): string {
  const parts: string[] = [];
  for (const [name, value, omitEmpty] of fields) {
    if (omitEmpty && isEmpty(value)) continue;
    parts.push(`${goString(name)}:${goJsonValue(value ?? (omitEmpty ? undefined : ''))}`);
  }
  return `{${parts.join(',')}}`;
}

function isEmpty(v: unknown): boolean {
  return (
    v === undefined ||
    v === null ||
    v === '' ||
    v === false ||
    v === 0 ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0)
  );
}

export function goJsonDependency(d: Dependency | null): string {
  if (d === null) return 'null';
  return goStruct([
    ['name', d.name ?? '', false],
    ['version', d.version, true],
    ['repository', d.repository ?? '', false],
    ['condition', d.condition, true],
    ['tags', d.tags, true],
    ['enabled', d.enabled, true],
    ['import-values', d['import-values'], true],
    ['alias', d.alias, true],
  ]);
}

function goJsonMaintainer(m: Maintainer | null): string {
  if (m === null) return 'null';
  return goStruct([
    ['name', m.name, true],
    ['email', m.email, true],
    ['url', m.url, true],
  ]);
}

function goJsonList<T>(items: T[] | undefined, enc: (x: T) => string): string | undefined {
  if (!items || items.length === 0) return undefined;
  return `[${items.map(enc).join(',')}]`;
}

/** `json.Marshal(chart.Metadata)`: the OCI config blob of a pushed chart. */
export function goJsonMetadata(md: Metadata): string {
  const parts: string[] = [];
  const add = (name: string, raw: string | undefined) => {
    if (raw !== undefined) parts.push(`${goString(name)}:${raw}`);
  };
  const str = (v: string | undefined) => (v ? goString(v) : undefined);
  add('name', str(md.name));
  add('home', str(md.home));
  add('sources', goJsonList(md.sources, goString));
  add('version', str(md.version));
  add('description', str(md.description));
  add('keywords', goJsonList(md.keywords, goString));
  add('maintainers', goJsonList(md.maintainers, goJsonMaintainer));
  add('icon', str(md.icon));
  add('apiVersion', str(md.apiVersion));
  add('condition', str(md.condition));
  add('tags', str(md.tags));
  add('appVersion', str(md.appVersion));
  add('deprecated', md.deprecated ? 'true' : undefined);
  add(
    'annotations',
    md.annotations && Object.keys(md.annotations).length > 0 ? goJsonValue(md.annotations) : undefined,
  );
  add('kubeVersion', str(md.kubeVersion));
  add('dependencies', goJsonList(md.dependencies, goJsonDependency));
  add('type', str(md.type));
  return `{${parts.join(',')}}`;
}

/** `json.Marshal([2][]*Dependency{req, locked})`, the input of helm's lock digest. */
export function goJsonDependencyPair(req: (Dependency | null)[] | undefined, locked: Dependency[]): string {
  const list = (l: (Dependency | null)[] | undefined) =>
    l === undefined ? 'null' : `[${l.map(goJsonDependency).join(',')}]`;
  return `[${list(req)},${list(locked)}]`;
}

// Comment-preserving edit of a dependency list: adds a `- name/version[/repository]` entry or
// updates the version (and repository) of an existing one by working on the `yaml` library's CST,
// so every other byte of the file (comments, order, quoting, indentation, `---`, line endings)
// stays as it was. New entries copy the style of the existing ones (sequence indentation, gap
// after `-`, key order, quoting of versions). Validation and line numbers: dependency-list.ts.
// Pure text in, text out: no file access here.
import { CST, parse, Parser } from 'yaml';
import { KxError } from '../errors/index.js';
import { readDependencyList, type DependencyEntry, type ListedDependency } from './dependency-list.js';

export type UpsertAction = 'added' | 'updated' | 'unchanged';

export interface UpsertResult {
  text: string;
  action: UpsertAction;
  /** Version listed before the edit, for an existing entry. */
  previousVersion?: string;
}

type ScalarType = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE';
type SeqItem = CST.BlockSequence['items'][number];

const DEP_KEYS = ['name', 'version', 'repository'] as const;

function keyOf(item: { key?: CST.Token | null }): string | undefined {
  return item.key ? CST.resolveAsScalar(item.key)?.value : undefined;
}

function isFlowScalar(t: CST.Token | undefined): t is CST.FlowScalar {
  return t?.type === 'scalar' || t?.type === 'single-quoted-scalar' || t?.type === 'double-quoted-scalar';
}

function scalarTypeOf(t: CST.FlowScalar): ScalarType {
  return t.type === 'double-quoted-scalar'
    ? 'QUOTE_DOUBLE'
    : t.type === 'single-quoted-scalar'
      ? 'QUOTE_SINGLE'
      : 'PLAIN';
}

/** `PLAIN` only when YAML would read the plain text back as this very string. */
function safeType(value: string, preferred: ScalarType): ScalarType {
  if (preferred !== 'PLAIN') return preferred;
  let back: unknown;
  try {
    back = parse(value);
  } catch {
    return 'QUOTE_DOUBLE';
  }
  return back === value && !/^\s|\s$|: | #/.test(value) ? 'PLAIN' : 'QUOTE_DOUBLE';
}

const space = (n: number, indent = 0): CST.SourceToken => ({
  type: 'space',
  offset: -1,
  indent,
  source: ' '.repeat(n),
});

/** Newline of the file (`\r\n` when the file uses it). */
function newlineOf(text: string): string {
  return /\r\n/.test(text) ? '\r\n' : '\n';
}

function endsWithNewline(tokens: CST.SourceToken[] | undefined): boolean {
  return !!tokens?.some((t) => t.type === 'newline');
}

/** Make sure the last scalar below `token` ends its line, so that something can follow it. */
function terminateLine(token: CST.Token | undefined, nl: string): void {
  if (!token) return;
  if (isFlowScalar(token)) {
    if (!endsWithNewline(token.end))
      (token.end ??= []).push({ type: 'newline', offset: -1, indent: token.indent, source: nl });
    return;
  }
  if (token.type === 'block-map' || token.type === 'block-seq') {
    const last = token.items[token.items.length - 1];
    if (last) terminateLine(last.value, nl);
    return;
  }
  if (token.type === 'flow-collection') {
    if (!endsWithNewline(token.end)) token.end.push({ type: 'newline', offset: -1, indent: token.indent, source: nl });
  }
}

/** The style new entries follow, read from the existing entries of the list. */
interface EntryStyle {
  seqIndent: number;
  /** Spaces between `-` and the first key. */
  gap: number;
  /** Separator after keys, e.g. `: `. */
  sepSpace: number;
  keyOrder: string[];
  versionType: ScalarType;
  repositoryType: ScalarType;
}

function mostCommon<T>(values: T[], fallback: T): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = fallback;
  let n = 0;
  for (const [v, c] of counts) if (c > n) [best, n] = [v, c];
  return best;
}

function styleOf(seq: CST.BlockSequence | undefined, seqIndent: number): EntryStyle {
  const maps: CST.BlockMap[] = [];
  for (const it of seq?.items ?? []) if (it.value?.type === 'block-map') maps.push(it.value);
  const template = maps[maps.length - 1];
  const templateItem = seq?.items.filter((it) => it.value?.type === 'block-map').pop();
  let gap = 1;
  if (templateItem && template) {
    const dash = templateItem.start.find((t) => t.type === 'seq-item-ind');
    if (dash) gap = Math.max(1, template.indent - dash.indent - 1);
  }
  const versionTypes: ScalarType[] = [];
  const repoTypes: ScalarType[] = [];
  for (const m of maps) {
    for (const it of m.items) {
      if (!isFlowScalar(it.value)) continue;
      if (keyOf(it) === 'version') versionTypes.push(scalarTypeOf(it.value));
      if (keyOf(it) === 'repository') repoTypes.push(scalarTypeOf(it.value));
    }
  }
  let sepSpace = 1;
  const firstPair = template?.items.find((it) => it.key);
  if (firstPair?.sep) {
    const after = firstPair.sep.find((t) => t.type === 'space');
    if (after) sepSpace = after.source.length;
  }
  const keyOrder = (template?.items ?? []).map((it) => keyOf(it)).filter((k): k is string => !!k);
  return {
    seqIndent,
    gap,
    sepSpace,
    keyOrder,
    versionType: mostCommon(versionTypes, 'PLAIN'),
    repositoryType: mostCommon(repoTypes, 'PLAIN'),
  };
}

function orderedKeys(style: EntryStyle, wanted: string[]): string[] {
  const known = style.keyOrder.filter((k) => wanted.includes(k));
  return [...known, ...DEP_KEYS.filter((k) => wanted.includes(k) && !known.includes(k))];
}

function pairToken(
  key: string,
  value: string,
  type: ScalarType,
  indent: number,
  sepSpace: number,
  first: boolean,
  nl: string,
): MapItem {
  return {
    start: first ? [] : [space(indent)],
    key: CST.createScalarToken(key, { indent, implicitKey: true, end: [], type: 'PLAIN' }),
    sep: [{ type: 'map-value-ind', offset: -1, indent, source: ':' }, space(sepSpace, indent)],
    value: CST.createScalarToken(value, {
      indent,
      type: safeType(value, type),
      end: [{ type: 'newline', offset: -1, indent, source: nl }],
    }),
  };
}

function newEntry(dep: DependencyEntry, style: EntryStyle, nl: string, withIndent: boolean): SeqItem {
  const mapIndent = style.seqIndent + 1 + style.gap;
  const keys = orderedKeys(
    style,
    dep.repository !== undefined ? ['name', 'version', 'repository'] : ['name', 'version'],
  );
  const items = keys.map((k, i) => {
    const value = k === 'name' ? dep.name : k === 'version' ? dep.version : dep.repository!;
    const type: ScalarType = k === 'version' ? style.versionType : k === 'repository' ? style.repositoryType : 'PLAIN';
    return pairToken(k, value, type, mapIndent, style.sepSpace, i === 0, nl);
  });
  const start: CST.SourceToken[] = [];
  if (withIndent && style.seqIndent > 0) start.push(space(style.seqIndent));
  start.push(
    { type: 'seq-item-ind', offset: -1, indent: style.seqIndent, source: '-' },
    space(style.gap, style.seqIndent + 1),
  );
  return { start, value: { type: 'block-map', offset: -1, indent: mapIndent, items } };
}

/** The one document of the stream; an empty stream (nothing or only comments) gets a new one. */
function findDocument(tokens: CST.Token[], file: string, nl: string): CST.Document {
  const docs = tokens.filter((t): t is CST.Document => t.type === 'document');
  if (docs.length > 1) throw new KxError('expected a single YAML document, found several', { file, line: 1 });
  if (docs[0]) return docs[0];
  const last = tokens[tokens.length - 1];
  if (last && 'source' in last && !/\n$/.test(last.source))
    tokens.push({ type: 'newline', offset: -1, indent: 0, source: nl });
  const doc: CST.Document = { type: 'document', offset: -1, start: [] };
  tokens.push(doc);
  return doc;
}

/** Set a scalar's value keeping its quoting, unless that quoting would change what it means. */
function setScalar(token: CST.FlowScalar, value: string): void {
  CST.setScalarValue(token, value, { type: safeType(value, scalarTypeOf(token)) });
}

function updateEntry(map: CST.BlockMap, dep: DependencyEntry, style: EntryStyle, nl: string): boolean {
  let changed = false;
  const pairs = new Map<string, MapItem>();
  for (const it of map.items) {
    const k = keyOf(it);
    if (k) pairs.set(k, it);
  }
  const version = pairs.get('version');
  if (version && isFlowScalar(version.value)) {
    if (CST.resolveAsScalar(version.value)?.value !== dep.version) {
      setScalar(version.value, dep.version);
      changed = true;
    }
  } else if (!version) {
    terminateLine(map, nl);
    map.items.push(pairToken('version', dep.version, style.versionType, map.indent, style.sepSpace, false, nl));
    changed = true;
  } else {
    throw new Error('unexpected non-scalar version'); // excluded by readDependencyList
  }
  if (dep.repository !== undefined) {
    const repo = pairs.get('repository');
    if (repo && isFlowScalar(repo.value)) {
      if (CST.resolveAsScalar(repo.value)?.value !== dep.repository) {
        setScalar(repo.value, dep.repository);
        changed = true;
      }
    } else if (!repo) {
      const at = map.items.indexOf(pairs.get('version')!) + 1;
      const before = map.items[at - 1];
      if (at === map.items.length) terminateLine(before?.value, nl);
      map.items.splice(
        at,
        0,
        pairToken('repository', dep.repository, style.repositoryType, map.indent, style.sepSpace, false, nl),
      );
      changed = true;
    }
  }
  return changed;
}

/** Phase 1: the one entry named `dep.name` already listed, if any (several, with aliases: refused). */
function existingEntry(listed: ListedDependency[], file: string, dep: DependencyEntry): ListedDependency | undefined {
  const matches = listed.filter((d) => d.name === dep.name);
  if (matches.length > 1) {
    throw new KxError(
      `dependency "${dep.name}" is listed ${matches.length} times (with aliases); cannot tell which to update`,
      { file, line: matches[1]!.line },
    );
  }
  return matches[0];
}

/** Phase 2: the document's top-level block map (an empty document gets one). */
function rootMap(doc: CST.Document, file: string): CST.BlockMap {
  let root = doc.value;
  if (!root || (isFlowScalar(root) && root.source === '')) {
    // Empty file (or only comments / `---`): start a top-level map.
    root = { type: 'block-map', offset: -1, indent: 0, items: [] };
    if (doc.value && isFlowScalar(doc.value)) {
      // keep comments that the parser attached to the empty scalar
      doc.end = [...(doc.value.end ?? []), ...(doc.end ?? [])];
    }
    doc.value = root;
  }
  if (root.type !== 'block-map')
    throw new KxError('cannot edit: the top level is not a block mapping', { file, line: 1 });
  return root;
}

type MapItem = CST.BlockMap['items'][number];

/** Phase 3: the `dependencies` item and its block list (none when absent, empty or `[]`). */
function dependencySequence(
  root: CST.BlockMap,
  file: string,
): { depsItem: MapItem | undefined; seq: CST.BlockSequence | undefined } {
  const depsItem = root.items.find((it) => keyOf(it) === 'dependencies');
  if (depsItem?.value?.type === 'block-seq') return { depsItem, seq: depsItem.value };
  if (depsItem && depsItem.value?.type === 'flow-collection' && depsItem.value.items.length > 0)
    throw new KxError('cannot edit a flow-style `dependencies: [...]` list; write it as a block list', { file });
  return { depsItem, seq: undefined };
}

/** Phase 4a: the listed entry's version (and repository) updated in place. */
function updateExisting(
  seq: CST.BlockSequence | undefined,
  existing: ListedDependency,
  dep: DependencyEntry,
  file: string,
  nl: string,
): boolean {
  const item = seq?.items.find(
    (it) =>
      it.value?.type === 'block-map' &&
      it.value.items.some((p) => keyOf(p) === 'name' && CST.resolveAsScalar(p.value)?.value === dep.name),
  );
  if (!item || item.value?.type !== 'block-map') {
    throw new KxError(`cannot edit dependency "${dep.name}": it is not a block mapping`, {
      file,
      line: existing.line,
    });
  }
  return updateEntry(item.value, dep, styleOf(seq, seq!.indent), nl);
}

/** Phase 4b: a new list (`dependencies:` absent, empty or `[]`) in Kaapana's layout, `  - name: …`. */
function createList(root: CST.BlockMap, depsItem: MapItem | undefined, dep: DependencyEntry, nl: string): void {
  const style: EntryStyle = {
    seqIndent: 2,
    gap: 1,
    sepSpace: 1,
    keyOrder: [...DEP_KEYS],
    versionType: 'PLAIN',
    repositoryType: 'PLAIN',
  };
  const newSeq: CST.BlockSequence = {
    type: 'block-seq',
    offset: -1,
    indent: 2,
    items: [newEntry(dep, style, nl, false)],
  };
  const sep: CST.SourceToken[] = [
    { type: 'map-value-ind', offset: -1, indent: 0, source: ':' },
    { type: 'newline', offset: -1, indent: 0, source: nl },
    space(2),
  ];
  if (depsItem) {
    // keep a trailing comment of `dependencies: # …` on its line
    const keep =
      depsItem.value && 'end' in depsItem.value ? (depsItem.value.end ?? []).filter((t) => t.type === 'comment') : [];
    depsItem.sep = keep.length ? [sep[0]!, space(1), ...keep, ...sep.slice(1)] : sep;
    depsItem.value = newSeq;
    return;
  }
  terminateLine(root, nl);
  root.items.push({
    start: [],
    key: CST.createScalarToken('dependencies', { indent: 0, implicitKey: true, end: [] }),
    sep,
    value: newSeq,
  });
}

/**
 * Add `dep` to the dependency list in `text` or update its version/repository. `file` is only
 * used in error messages. Throws KxError for malformed YAML, duplicates or shapes it cannot edit.
 */
export function upsertDependency(text: string, file: string, dep: DependencyEntry): UpsertResult {
  const listed = readDependencyList(text, file);
  const existing = existingEntry(listed, file, dep);
  const nl = newlineOf(text);
  const tokens = [...new Parser().parse(text)];
  const root = rootMap(findDocument(tokens, file, nl), file);
  const { depsItem, seq } = dependencySequence(root, file);
  const render = () => tokens.map((t) => CST.stringify(t)).join('');
  if (existing) {
    const changed = updateExisting(seq, existing, dep, file, nl);
    const out = changed ? render() : text;
    if (changed) verify(out, file, dep, listed);
    return { text: out, action: changed ? 'updated' : 'unchanged', previousVersion: existing.version };
  }
  if (seq) {
    terminateLine(seq, nl);
    seq.items.push(newEntry(dep, styleOf(seq, seq.indent), nl, true));
  } else createList(root, depsItem, dep, nl);
  const out = render();
  verify(out, file, dep, listed);
  return { text: out, action: 'added' };
}

/**
 * Guard against CST mistakes: the edited text must parse, list `dep` exactly as asked and every
 * other entry exactly as before.
 */
function verify(out: string, file: string, dep: DependencyEntry, before: ListedDependency[]): void {
  let listed;
  try {
    listed = readDependencyList(out, file);
  } catch (e) {
    throw new Error(`internal error: the edited ${file} does not parse: ${String(e)}`);
  }
  const got = listed.find((d) => d.name === dep.name);
  if (!got || got.version !== dep.version || (dep.repository !== undefined && got.repository !== dep.repository)) {
    throw new Error(`internal error: the edited ${file} does not list ${dep.name} ${dep.version} as intended`);
  }
  const others = (list: ListedDependency[]) =>
    JSON.stringify(list.filter((d) => d.name !== dep.name).map(({ line: _line, ...rest }) => rest));
  if (others(listed) !== others(before)) throw new Error(`internal error: editing ${file} changed other entries`);
}

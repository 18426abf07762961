// Loading charts the way helm's `pkg/chart/loader` does: from a directory (sorted walk, symlinks
// followed, the top chart's .helmignore applied, BOMs stripped, 5 MiB per-file limit checked before
// reading) — but refusing symlink loops and links that leave the chart, and capping depth, files and
// total size, where helm walks on — or from a .tgz archive (first path segment stripped, unsafe
// paths rejected, entry sizes checked before they are buffered, inflation capped), then splitting the files into the
// chart model (`loadFiles`): Chart.yaml, requirements.yaml/lock for v1, Chart.lock, values, templates,
// charts/ (subchart dirs and archives, loaded recursively, `_`/`.` entries skipped). Subcharts are kept
// sorted by name so everything downstream is deterministic. Errors are KxErrors naming the file.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { lstat, readFile, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { isMap, parseDocument } from 'yaml';
import { extract as tarExtract } from 'tar-stream';
import { KxError, errorMessage } from '../errors/index.js';
import { isInside } from '../fsutil/safe-path.js';
import { parseLock, parseMetadata } from './chartfile.js';
import { HELMIGNORE, IgnoreRules } from './ignore.js';
import { APIVersionV1, type Chart, type ChartFile } from './model.js';
import { validateMetadata } from './validate.js';

export const MAX_FILE_SIZE = 5 * 1024 * 1024;
export const MAX_CHART_SIZE = 100 * 1024 * 1024;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const stripBom = (b: Buffer) => (b.subarray(0, 3).equals(BOM) ? b.subarray(3) : b);
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** How loadDir treats what helm's walk would follow blindly (see the header). */
export interface LoadDirOptions {
  /**
   * Include files reached through symlinks that point outside the chart directory (helm does, and
   * logs "found symbolic link in path"). Default false: such a link is an error, since it can pull
   * any file of the machine (`/etc/hostname`, `../../secret.txt`) into a published chart.
   */
  allowExternalSymlinks?: boolean;
  /** Called for every symlink that leaves the chart and is included (allowExternalSymlinks). */
  onWarning?: (message: string, file: string) => void;
  /** Deepest directory level walked (default MAX_CHART_DEPTH). */
  maxDepth?: number;
  /** Most files loaded from one chart directory (default MAX_CHART_ENTRIES). */
  maxEntries?: number;
}

/** Deepest directory nesting loadDir walks: far beyond any real chart, far below a symlink loop. */
export const MAX_CHART_DEPTH = 64;
/** Most files loadDir accepts from one chart directory tree. */
export const MAX_CHART_ENTRIES = 10_000;

/** One directory walk of loadDir: where it is, what it refuses, and what it has read so far. */
interface DirWalk {
  /** As given (error messages name it). */
  dir: string;
  top: string;
  rootReal: string;
  rules: IgnoreRules;
  opts: LoadDirOptions;
  maxDepth: number;
  maxEntries: number;
  files: ChartFile[];
  /** Bytes read so far. */
  total: number;
}

/**
 * Load a chart directory (helm `LoadDir`). Unlike helm's walk (internal/sympath/walk.go follows
 * every symlinked directory and only stops when the OS refuses the ever longer path), a symlink to
 * a directory that is already being walked is a loop and an error; depth, number of files and total
 * size are capped; a file's size is checked before it is read; and links leaving the chart are
 * refused unless `allowExternalSymlinks`.
 */
export async function loadDir(dir: string, opts: LoadDirOptions = {}): Promise<Chart> {
  const top = resolve(dir);
  const st = await stat(top).catch((e: unknown) => {
    throw new KxError(`could not find ${dir}: ${errorMessage(e)}`, { file: dir });
  });
  if (!st.isDirectory()) throw new KxError(`${dir} is not a chart directory`, { file: dir });
  const rootReal = await realpath(top);
  const walk: DirWalk = {
    dir,
    top,
    rootReal,
    rules: await readIgnoreRules(top),
    opts,
    maxDepth: opts.maxDepth ?? MAX_CHART_DEPTH,
    maxEntries: opts.maxEntries ?? MAX_CHART_ENTRIES,
    files: [],
    total: 0,
  };
  await walkDir(walk, top, '', [rootReal]);
  checkChartYamlNotIgnored(walk);
  return loadFiles(walk.files, top);
}

/**
 * Reads the files under `abs` (`rel` from the top) in byte order. `ancestors`: real paths of the
 * directories from the top down to `abs`, to recognise loops. Synchronous reads: for the many small
 * files of a chart they are several times faster than fs.promises (one thread-pool round trip per
 * open/stat/read/close), and this runs in a CLI/action.
 */
async function walkDir(walk: DirWalk, abs: string, rel: string, ancestors: string[]): Promise<void> {
  const depth = rel === '' ? 0 : rel.split('/').length;
  if (depth > walk.maxDepth)
    throw new KxError(`chart ${walk.dir} nests directories deeper than ${walk.maxDepth} levels at ${rel}`, {
      file: join(walk.top, rel),
    });
  const entries = readdirSync(abs, { withFileTypes: true }).sort((a, b) => byteOrder(a.name, b.name));
  for (const entry of entries) {
    const name = entry.name;
    const path = join(abs, name);
    const n = rel ? `${rel}/${name}` : name;
    const shownPath = join(walk.top, n);
    const target = entry.isSymbolicLink() ? await followSymlink(path, shownPath) : undefined;
    const isDir = target ? target.isDir : entry.isDirectory();
    if (walk.rules.ignores(n, isDir)) continue;
    if (target) checkSymlink(walk, { n, shownPath, target: target.path, isDir, ancestors });
    const real = target?.path ?? path;
    if (isDir) {
      await walkDir(walk, real, n, [...ancestors, real]);
      continue;
    }
    if (!(target ? target.isFile : entry.isFile()))
      throw new KxError(`cannot load irregular file ${shownPath} as it has file mode type bits set`, {
        file: shownPath,
      });
    walk.files.push(readChartFile(walk, real, n, name, target?.size ?? statSync(path).size));
  }
}

/** Where a symlink leads: its real path and what is there. */
async function followSymlink(
  path: string,
  shownPath: string,
): Promise<{ path: string; isDir: boolean; isFile: boolean; size: number }> {
  const target = await realpath(path).catch((e: unknown) => {
    throw new KxError(`error evaluating symlink ${shownPath}: ${errorMessage(e)}`, { file: shownPath });
  });
  const info = await lstat(target);
  return { path: target, isDir: info.isDirectory(), isFile: info.isFile(), size: info.size };
}

/** Refuses a symlink loop, and a link leaving the chart unless allowExternalSymlinks (then a warning). */
function checkSymlink(
  walk: DirWalk,
  link: { n: string; shownPath: string; target: string; isDir: boolean; ancestors: string[] },
): void {
  const { n, shownPath, target, isDir } = link;
  // A link to the directory being walked or one of its parents would be walked for ever.
  if (isDir && link.ancestors.some((a) => isInside(target, a))) {
    throw new KxError(`symlink loop: ${shownPath} points to ${target}, which contains it`, { file: shownPath });
  }
  if (isInside(walk.rootReal, target)) return;
  if (!walk.opts.allowExternalSymlinks) {
    throw new KxError(
      `symlink ${n} points outside the chart to ${target}; refusing to package it (allow it explicitly to include the linked ${isDir ? 'directory' : 'file'})`,
      { file: shownPath },
    );
  }
  walk.opts.onWarning?.(
    `found symbolic link in path: ${shownPath} resolves to ${target}, outside the chart. Contents of linked file included and used`,
    shownPath,
  );
}

/** Reads one file (`n` in the chart), its size, the chart's total size and file count checked first. */
function readChartFile(walk: DirWalk, path: string, n: string, shown: string, size: number): ChartFile {
  if (size > MAX_FILE_SIZE) {
    throw new KxError(`chart file "${shown}" is larger than the maximum file size ${MAX_FILE_SIZE}`, { file: path });
  }
  walk.total += size;
  if (walk.total > MAX_CHART_SIZE)
    throw new KxError(`chart ${walk.dir} is larger than the maximum chart size ${MAX_CHART_SIZE}`, { file: path });
  if (walk.files.length >= walk.maxEntries)
    throw new KxError(`chart ${walk.dir} has more than ${walk.maxEntries} files`, { file: path });
  const data = readFileSync(path);
  if (data.length > MAX_FILE_SIZE) {
    throw new KxError(`chart file "${shown}" is larger than the maximum file size ${MAX_FILE_SIZE}`, { file: path });
  }
  return { name: n, data: stripBom(data) };
}

/** No chart metadata read although Chart.yaml exists: the .helmignore rule that hid it is the error. */
function checkChartYamlNotIgnored(walk: DirWalk): void {
  const { files, rules, top } = walk;
  if (files.some((f) => f.name === 'Chart.yaml' || f.name === 'requirements.yaml' || f.name === 'requirements.lock'))
    return;
  const hidden = rules.matchingRule('Chart.yaml', false);
  if (hidden && statSync(join(top, 'Chart.yaml'), { throwIfNoEntry: false })?.isFile()) {
    throw new KxError(
      `Chart.yaml file is missing: ${HELMIGNORE} rule ${JSON.stringify(hidden.raw)} (line ${hidden.line}) excludes it`,
      {
        file: join(top, HELMIGNORE),
        line: hidden.line,
      },
    );
  }
}

async function readIgnoreRules(top: string): Promise<IgnoreRules> {
  const file = join(top, HELMIGNORE);
  let rules = IgnoreRules.empty();
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text !== undefined) rules = IgnoreRules.parse(text, file);
  return rules.addDefaults();
}

/** Does this buffer start like a gzip stream? */
export function isGzip(data: Uint8Array): boolean {
  return data[0] === 0x1f && data[1] === 0x8b && data[2] === 0x08;
}

/** Read the files of a chart archive (helm `LoadArchiveFiles`), first path segment stripped. */
export async function loadArchiveFiles(data: Buffer, label = 'archive'): Promise<ChartFile[]> {
  if (!isGzip(data)) {
    if (/\.ya?ml$/.test(label))
      throw new KxError(`file '${label}' seems to be a YAML file, but expected a gzipped archive`, { file: label });
    throw new KxError(`file '${label}' does not appear to be a gzipped archive`, { file: label });
  }
  const files: ChartFile[] = [];
  const ex = tarExtract();
  const bad = (msg: string) => new KxError(msg, { file: label });
  const gunzip = createGunzip();
  // Whatever the tar headers claim, never inflate more than a chart may hold (plus headers/padding).
  let inflated = 0;
  const inflateLimit = MAX_CHART_SIZE + 16 * 1024 * 1024;
  gunzip.on('data', (chunk: Buffer) => {
    inflated += chunk.length;
    if (inflated > inflateLimit)
      gunzip.destroy(bad(`decompressed chart is larger than the maximum chart size ${MAX_CHART_SIZE}`));
  });
  const source = Readable.from([data]).pipe(gunzip);
  source.on('error', (e) => ex.destroy(e));
  source.pipe(ex);
  let remaining = MAX_CHART_SIZE;
  try {
    for await (const entry of ex) {
      const h = entry.header;
      const type = h.type as string;
      // Sizes are checked from the header, before the entry's bytes are buffered.
      const size = h.size ?? 0;
      if (size > remaining) throw bad(`decompressed chart is larger than the maximum file size ${MAX_CHART_SIZE}`);
      if (size > MAX_FILE_SIZE)
        throw bad(
          `decompressed chart file ${JSON.stringify(h.name)} is larger than the maximum file size ${MAX_FILE_SIZE}`,
        );
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      if (type === 'directory' || type === 'pax-global-header' || type === 'pax-header') continue;
      const delimiter = h.name.includes('\\') ? '\\' : '/';
      const parts = h.name.split(delimiter);
      let n = parts.slice(1).join('/');
      if (n.startsWith('/')) throw bad('chart illegally contains absolute paths');
      n = cleanPath(n);
      if (n === '.')
        throw bad(`chart illegally contains content outside the base directory: ${JSON.stringify(h.name)}`);
      if (n.startsWith('..')) throw bad('chart illegally references parent directory');
      if (/^[a-zA-Z]:\//.test(n)) throw bad('chart contains illegally named files');
      if (parts[0] === 'Chart.yaml') throw bad('chart yaml not in base directory');
      remaining -= size;
      files.push({ name: n, data: stripBom(Buffer.concat(chunks)) });
    }
  } catch (e) {
    if (e instanceof KxError) throw e;
    throw new KxError(`file '${label}' does not appear to be a valid chart file (details: ${errorMessage(e)})`, {
      file: label,
    });
  }
  if (files.length === 0) throw bad('no files in chart archive');
  return files;
}

/** Go `path.Clean` for relative `/` paths. */
function cleanPath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else out.push('..');
    } else out.push(seg);
  }
  return out.length === 0 ? '.' : out.join('/');
}

/** Load a chart archive from a file path or from its bytes (helm `LoadFile`/`LoadArchive`). */
export async function loadArchive(input: string | Buffer, label?: string): Promise<Chart> {
  let data: Buffer;
  let name = label ?? 'archive';
  if (typeof input === 'string') {
    name = label ?? input;
    const st = await stat(input).catch((e: unknown) => {
      throw new KxError(`${input}: ${errorMessage(e)}`, { file: input });
    });
    if (st.isDirectory()) throw new KxError('cannot load a directory', { file: input });
    data = await readFile(input);
  } else data = input;
  return loadFiles(await loadArchiveFiles(data, name), name);
}

/** Load a chart from a directory or an archive path (helm `loader.Load`). */
export async function loadChart(path: string): Promise<Chart> {
  const st = await stat(path).catch((e: unknown) => {
    throw new KxError(`${path}: ${errorMessage(e)}`, { file: path });
  });
  return st.isDirectory() ? loadDir(path) : loadArchive(path);
}

/** What loadFiles gathers while it sorts the files: metadata seen, Chart.yaml's lines, subchart files. */
interface Sorting {
  at: (name: string) => string;
  hasMetadata: boolean;
  chartLines: Map<string, number>;
  /** Files under charts/ by subchart directory or archive name, names relative to charts/. */
  subcharts: Map<string, ChartFile[]>;
}

/** Split loaded files into a chart (helm `LoadFiles`). `source` labels error messages. */
export async function loadFiles(files: ChartFile[], source = '.'): Promise<Chart> {
  const c: Chart = { metadata: {}, templates: [], files: [], dependencies: [], raw: [], source };
  const s: Sorting = {
    at: (name: string) => `${source}/${name}`,
    hasMetadata: false,
    chartLines: new Map(),
    subcharts: new Map(),
  };
  for (const f of files) {
    c.raw.push(f);
    if (f.name === 'Chart.yaml') {
      const parsed = parseMetadata(f.data.toString('utf8'), s.at('Chart.yaml'), 'Chart.yaml', c.metadata);
      s.chartLines = parsed.lines;
      s.hasMetadata = true;
      if (!c.metadata.apiVersion) c.metadata.apiVersion = APIVersionV1;
    }
  }
  for (const f of files) if (f.name !== 'Chart.yaml') placeFile(c, f, s);
  if (!s.hasMetadata) throw new KxError('Chart.yaml file is missing', { file: s.at('Chart.yaml') });
  c.dependencyFile ??= { file: s.at('Chart.yaml'), lines: s.chartLines };
  validateMetadata(c.metadata, { file: s.at('Chart.yaml'), lines: s.chartLines });

  for (const n of [...s.subcharts.keys()].sort(byteOrder)) {
    if (n.startsWith('_') || n.startsWith('.')) continue;
    c.dependencies.push(await loadSubchart(c, n, s.subcharts.get(n) as ChartFile[], s.at));
  }
  c.dependencies.sort((a, b) => byteOrder(a.metadata.name ?? '', b.metadata.name ?? ''));
  return c;
}

/** Puts one file (other than Chart.yaml) where helm's LoadFiles does. */
function placeFile(c: Chart, f: ChartFile, s: Sorting): void {
  const { name } = f;
  const { at } = s;
  if (name === 'Chart.lock') {
    c.lock = parseLock(f.data.toString('utf8'), at(name), 'Chart.lock').value;
  } else if (name === 'values.yaml') {
    checkValues(f.data, at(name));
    c.values = f.data;
  } else if (name === 'values.schema.json') {
    c.schema = f.data;
  } else if (name === 'requirements.yaml') {
    s.hasMetadata = true;
    const parsed = parseMetadata(f.data.toString('utf8'), at(name), 'requirements.yaml', c.metadata);
    for (const [k, v] of parsed.lines) if (k.startsWith('dependencies')) s.chartLines.set(k, v);
    c.dependencyFile = { file: at(name), lines: parsed.lines };
    if (c.metadata.apiVersion === APIVersionV1) c.files.push(f);
  } else if (name === 'requirements.lock') {
    c.lock = parseLock(f.data.toString('utf8'), at(name), 'requirements.lock').value;
    s.hasMetadata = true;
    if (c.metadata.apiVersion === APIVersionV1) c.files.push(f);
  } else if (name.startsWith('templates/')) {
    c.templates.push(f);
  } else if (name.startsWith('charts/') && !name.endsWith('.prov')) {
    const rest = name.slice('charts/'.length);
    const cname = rest.split('/')[0] as string;
    const list = s.subcharts.get(cname) ?? [];
    list.push({ name: rest, data: f.data });
    s.subcharts.set(cname, list);
  } else c.files.push(f);
}

/** Loads subchart `n` of `c` from its files under charts/ (a directory or a .tgz); errors name it. */
async function loadSubchart(c: Chart, n: string, list: ChartFile[], at: (name: string) => string): Promise<Chart> {
  try {
    if (n.endsWith('.tgz')) {
      const file = list[0] as ChartFile;
      if (file.name !== n)
        throw new KxError(`error unpacking subchart tar in ${c.metadata.name}: expected ${n}, got ${file.name}`, {
          file: at(`charts/${n}`),
        });
      return await loadArchive(file.data, at(`charts/${n}`));
    }
    const inner = list
      .filter((f) => f.name.includes('/'))
      .map((f) => ({ name: f.name.slice(f.name.indexOf('/') + 1), data: f.data }));
    return await loadFiles(inner, at(`charts/${n}`));
  } catch (e) {
    if (e instanceof KxError && e.message.startsWith('error unpacking subchart')) throw e;
    const msg = e instanceof KxError ? e.message : errorMessage(e);
    throw new KxError(`error unpacking subchart ${n} in ${c.metadata.name}: ${msg}`, {
      file: e instanceof KxError ? (e.file ?? at(`charts/${n}`)) : at(`charts/${n}`),
      line: e instanceof KxError ? e.line : undefined,
    });
  }
}

function checkValues(data: Buffer, file: string): void {
  const doc = parseDocument(data.toString('utf8'), { version: '1.1', uniqueKeys: false, lineCounter: undefined });
  const err = doc.errors[0];
  if (err) {
    throw new KxError(`cannot load values.yaml: error converting YAML to JSON: ${err.message.split('\n')[0]}`, {
      file,
      line: err.linePos?.[0]?.line,
    });
  }
  const root = doc.contents;
  if (root !== null && !isMap(root) && !(root && 'value' in root && (root as { value: unknown }).value === null)) {
    throw new KxError('cannot load values.yaml: error unmarshaling JSON: values must be a mapping', { file });
  }
}

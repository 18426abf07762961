// Writing a chart archive as helm's `chartutil.Save` lays it out: only regular-file entries under
// `<chart name>/`, Chart.yaml re-serialised first, Chart.lock (v2 with a lock), values.yaml,
// values.schema.json, templates, other files, then subcharts recursively as directories under
// `charts/<name>/`; gzip header as Go's writer with helm's extra field and "Helm" comment.
// Unlike helm it is deterministic: fixed entry mtimes (default 0, or SOURCE_DATE_EPOCH) and
// subcharts in name order, so the same chart always gives the same bytes.
import { gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { KxError } from '../errors/index.js';
import { serializeLock, serializeMetadata } from './chartfile.js';
import { APIVersionV2, type Chart } from './model.js';

/** helm's gzip "extra" bytes (an Easter egg, not a well-formed subfield). */
const HELM_GZIP_EXTRA = Buffer.from('+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=');

export interface ArchiveOptions {
  /** Modification time of every entry, in seconds since the epoch. Default: SOURCE_DATE_EPOCH or 0. */
  mtime?: number;
  /** gzip level (Go's default compression is 6). */
  level?: number;
}

export interface ArchiveEntry {
  name: string;
  data: Buffer;
}

function validName(name: string | undefined): string {
  if (!name || name.includes('/') || name === '.' || name === '..') {
    throw new KxError(`"${name ?? ''}" is not a valid chart name`);
  }
  return name;
}

/** The entries helm would write for `chart`, in helm's order (subcharts sorted by name). */
export function archiveEntries(chart: Chart, prefix = ''): ArchiveEntry[] {
  const base = `${prefix}${validName(chart.metadata.name)}`;
  const out: ArchiveEntry[] = [];
  const add = (name: string, data: Buffer | string) => out.push({ name: `${base}/${name}`, data: Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8') });
  add('Chart.yaml', serializeMetadata(chart.metadata));
  if (chart.metadata.apiVersion === APIVersionV2 && chart.lock) add('Chart.lock', serializeLock(chart.lock));
  if (chart.values) add('values.yaml', chart.values);
  if (chart.schema) {
    try {
      JSON.parse(chart.schema.toString('utf8'));
    } catch {
      throw new KxError('Invalid JSON in values.schema.json', { file: chart.source ? `${chart.source}/values.schema.json` : undefined });
    }
    add('values.schema.json', chart.schema);
  }
  for (const f of chart.templates) add(f.name, f.data);
  for (const f of chart.files) add(f.name, f.data);
  const deps = [...chart.dependencies].sort((a, b) => Buffer.compare(Buffer.from(a.metadata.name ?? ''), Buffer.from(b.metadata.name ?? '')));
  for (const dep of deps) out.push(...archiveEntries(dep, `${base}/charts/`));
  return out;
}

function defaultMtime(): number {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  return Number.isInteger(epoch) && epoch >= 0 ? epoch : 0;
}

/** Build the tar stream (USTAR, no directory entries) of the given entries. */
export async function tarEntries(entries: ArchiveEntry[], mtime: number): Promise<Buffer> {
  const p = tarPack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolveDone, reject) => {
    p.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    p.on('end', () => resolveDone());
    p.on('error', reject);
  });
  for (const e of entries) {
    await new Promise<void>((res, rej) => {
      p.entry({ name: e.name, size: e.data.length, mode: 0o644, mtime: new Date(mtime * 1000), type: 'file', uid: 0, gid: 0, uname: '', gname: '' }, e.data, (err) => (err ? rej(err) : res()));
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** gzip `data` with the header Go's compress/gzip writes for helm (FEXTRA + FCOMMENT "Helm", OS 255). */
export function helmGzip(data: Buffer, level = 6): Buffer {
  const z = gzipSync(data, { level });
  // Node writes a plain 10-byte header; keep its deflate body and CRC32/ISIZE trailer.
  const body = z.subarray(10);
  const header = Buffer.alloc(10);
  header[0] = 0x1f;
  header[1] = 0x8b;
  header[2] = 0x08;
  header[3] = 0x04 | 0x10; // FEXTRA | FCOMMENT
  header.writeUInt32LE(0, 4); // MTIME: Go leaves it 0 when Header.ModTime is zero
  header[8] = level === 9 ? 2 : level === 1 ? 4 : 0;
  header[9] = 0xff; // OS unknown
  const xlen = Buffer.alloc(2);
  xlen.writeUInt16LE(HELM_GZIP_EXTRA.length, 0);
  return Buffer.concat([header, xlen, HELM_GZIP_EXTRA, Buffer.from('Helm\0', 'latin1'), body]);
}

/** The complete `.tgz` bytes of a chart. */
export async function writeChartArchive(chart: Chart, opts: ArchiveOptions = {}): Promise<Buffer> {
  const entries = archiveEntries(chart);
  const tar = await tarEntries(entries, opts.mtime ?? defaultMtime());
  return helmGzip(tar, opts.level ?? 6);
}

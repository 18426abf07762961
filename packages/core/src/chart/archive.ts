// Writing a chart archive as helm's `chartutil.Save` lays it out: only regular-file entries under
// `<chart name>/`, Chart.yaml re-serialised first, Chart.lock (v2 with a lock), values.yaml,
// values.schema.json, templates, other files, then subcharts recursively as directories under
// `charts/<name>/`; gzip header as Go's writer with helm's extra field and "Helm" comment.
// Unlike helm it is deterministic: fixed entry mtimes (default 0, or SOURCE_DATE_EPOCH) and
// subcharts in name order, so the same chart always gives the same bytes.
import { gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { KxError } from '../errors/index.js';
import { pathSegmentProblem } from '../fsutil/safe-path.js';
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
  if (!name || pathSegmentProblem(name)) {
    throw new KxError(`"${name ?? ''}" is not a valid chart name`);
  }
  return name;
}

/** The entries helm would write for `chart`, in helm's order (subcharts sorted by name). */
export function archiveEntries(chart: Chart, prefix = ''): ArchiveEntry[] {
  const base = `${prefix}${validName(chart.metadata.name)}`;
  const out: ArchiveEntry[] = [];
  const add = (name: string, data: Buffer | string) =>
    out.push({ name: `${base}/${name}`, data: Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8') });
  add('Chart.yaml', serializeMetadata(chart.metadata));
  if (chart.metadata.apiVersion === APIVersionV2 && chart.lock) add('Chart.lock', serializeLock(chart.lock));
  if (chart.values) add('values.yaml', chart.values);
  if (chart.schema) {
    try {
      JSON.parse(chart.schema.toString('utf8'));
    } catch {
      throw new KxError('Invalid JSON in values.schema.json', {
        file: chart.source ? `${chart.source}/values.schema.json` : undefined,
      });
    }
    add('values.schema.json', chart.schema);
  }
  for (const f of chart.templates) add(f.name, f.data);
  for (const f of chart.files) add(f.name, f.data);
  const deps = [...chart.dependencies].sort((a, b) =>
    Buffer.compare(Buffer.from(a.metadata.name ?? ''), Buffer.from(b.metadata.name ?? '')),
  );
  for (const dep of deps) out.push(...archiveEntries(dep, `${base}/charts/`));
  return out;
}

/** SOURCE_DATE_EPOCH when set, else 0: the fixed time of everything we write (entries, lock `generated`). */
export function defaultMtime(): number {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  return Number.isInteger(epoch) && epoch >= 0 ? epoch : 0;
}

const BLOCK = 512;

/** Go archive/tar's octal field: zero-padded to the field length - 1, NUL-terminated. */
function goOctal(buf: Buffer, offset: number, length: number, value: number): void {
  const text = value.toString(8).padStart(length - 1, '0');
  buf.write(text, offset, 'latin1');
  buf[offset + length - 1] = 0;
}

/** Go's splitUSTARPath: the longest prefix (≤155 bytes) that leaves a name of ≤100 bytes. */
function goSplitUstarPath(name: string): [prefix: string, rest: string] | undefined {
  let length = name.length;
  if (length <= 100) return undefined;
  if (length > 156) length = 156;
  else if (name[length - 1] === '/') length--;
  const i = name.lastIndexOf('/', length - 1);
  const nlen = name.length - i - 1;
  if (i <= 0 || nlen > 100 || nlen === 0) return undefined;
  return [name.slice(0, i), name.slice(i + 1)];
}

/**
 * Rewrite the USTAR headers tar-stream produced into the exact bytes Go's archive/tar writes for
 * helm (numeric fields as `0000644\0`, checksum `%06o\0 `, longest USTAR prefix split). Entries
 * tar-stream had to write as PAX (non-ASCII or very long names) are left as they are.
 */
function normaliseHeadersToGo(tar: Buffer): void {
  let off = 0;
  while (off + BLOCK <= tar.length) {
    const h = tar.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    const type = String.fromCharCode(h[156] as number);
    const size = parseInt(h.toString('latin1', 124, 136).replace(/\0.*$/, '').trim() || '0', 8);
    if (type === '0') {
      const prefix = h.toString('latin1', 345, 500).replace(/\0.*$/s, '');
      const short = h.toString('latin1', 0, 100).replace(/\0.*$/s, '');
      const full = prefix ? `${prefix}/${short}` : short;
      const split = goSplitUstarPath(full);
      h.fill(0, 0, 100);
      h.fill(0, 345, 500);
      if (split) {
        h.write(split[1], 0, 'latin1');
        h.write(split[0], 345, 'latin1');
      } else h.write(full, 0, 'latin1');
      const mode = parseInt(h.toString('latin1', 100, 108).trim(), 8);
      const mtime = parseInt(h.toString('latin1', 136, 148).trim(), 8);
      goOctal(h, 100, 8, mode);
      goOctal(h, 108, 8, 0);
      goOctal(h, 116, 8, 0);
      goOctal(h, 124, 12, size);
      goOctal(h, 136, 12, mtime);
      goOctal(h, 329, 8, 0);
      goOctal(h, 337, 8, 0);
      h.fill(0x20, 148, 156);
      let sum = 0;
      for (const b of h) sum += b;
      goOctal(h, 148, 7, sum);
      h[155] = 0x20;
    }
    off += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
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
      p.entry(
        {
          name: e.name,
          size: e.data.length,
          mode: 0o644,
          mtime: new Date(mtime * 1000),
          type: 'file',
          uid: 0,
          gid: 0,
          uname: '',
          gname: '',
        },
        e.data,
        (err) => (err ? rej(err) : res()),
      );
    });
  }
  p.finalize();
  await done;
  const tar = Buffer.concat(chunks);
  normaliseHeadersToGo(tar);
  return tar;
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

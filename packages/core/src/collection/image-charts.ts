// Reading back what a pushed collection image carries: manifest (an index/list resolves to its
// linux/amd64 or first entry) → layers → the `.tgz` chart archives in the layers' tar streams, with
// OCI whiteouts applied in layer order. Uses the registry client only; no docker daemon needed.
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { KxError } from '../errors/index.js';
import { parseImageRef, RegistryClient, type RegistryClientOptions } from '../registry/index.js';

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string };
}

interface ManifestJson {
  mediaType?: string;
  manifests?: Descriptor[];
  layers?: Descriptor[];
}

export interface ImageChartList {
  /** Manifest digest of the image (of the platform manifest for an index). */
  digest: string;
  /** Paths (without leading `/`) of the `.tgz` files in the image's filesystem, sorted. */
  charts: string[];
  /** Hex sha256 of each of those files' content, by path. */
  sha256: Record<string, string>;
  /** The content of each of those files, by path (the archives as the platform would copy them). */
  data: Record<string, Buffer>;
}

interface LayerEntry {
  path: string;
  type: string;
  /** sha256 of the content, for `.tgz` files. */
  sha256?: string;
  /** Content, for `.tgz` files. */
  data?: Buffer;
}

/** Every entry of one (possibly gzip-compressed) layer tar, in archive order. */
async function layerEntries(blob: Buffer): Promise<LayerEntry[]> {
  const data = blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob;
  const out: LayerEntry[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const entry: LayerEntry = {
        path: header.name.replace(/^\.?\/+/, '').replace(/\/+$/, ''),
        type: header.type ?? 'file',
      };
      out.push(entry);
      const hash = entry.path.endsWith('.tgz') ? createHash('sha256') : undefined;
      const chunks: Buffer[] = [];
      if (hash) {
        stream.on('data', (chunk: unknown) => {
          hash.update(chunk as Buffer);
          chunks.push(chunk as Buffer);
        });
      }
      stream.on('end', () => {
        if (hash) {
          entry.sha256 = hash.digest('hex');
          entry.data = Buffer.concat(chunks);
        }
        next();
      });
      stream.on('error', reject);
      stream.resume();
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  Readable.from([data]).pipe(ex);
  await done;
  return out;
}

/**
 * The chart archives inside the image `ref` (`host:port/repo:tag` or `…@sha256:…`), read through
 * the registry HTTP API. `client` options add credentials; the registry comes from `ref`.
 */
export async function listImageCharts(
  ref: string,
  client: Omit<RegistryClientOptions, 'registry'> = {},
): Promise<ImageChartList> {
  const parsed = parseImageRef(ref);
  const registry = new RegistryClient({ ...client, registry: parsed.registry });
  const reference = parsed.digest ?? parsed.tag ?? 'latest';
  let manifest = await registry.getManifest(parsed.repository, reference);
  let json = JSON.parse(manifest.body.toString('utf8')) as ManifestJson;
  if (json.manifests) {
    const pick =
      json.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64') ??
      json.manifests[0];
    if (!pick) throw new KxError(`image ${ref} is an empty index`);
    manifest = await registry.getManifest(parsed.repository, pick.digest);
    json = JSON.parse(manifest.body.toString('utf8')) as ManifestJson;
  }
  if (!json.layers)
    throw new KxError(`image ${ref}: manifest ${manifest.mediaType || '(no media type)'} has no layers`);
  const files = new Map<string, string | undefined>();
  const contents = new Map<string, Buffer>();
  for (const layer of json.layers) {
    const entries = await layerEntries(await registry.getBlob(parsed.repository, layer.digest));
    // Whiteouts hide files of the lower layers; then this layer's own files are added.
    for (const { path } of entries) {
      const base = path.slice(path.lastIndexOf('/') + 1);
      const dir = path.slice(0, path.length - base.length);
      if (base === '.wh..wh..opq') {
        for (const f of [...files.keys()]) if (f.startsWith(dir)) files.delete(f);
      } else if (base.startsWith('.wh.')) {
        const gone = dir + base.slice('.wh.'.length);
        for (const f of [...files.keys()]) if (f === gone || f.startsWith(`${gone}/`)) files.delete(f);
      }
    }
    for (const { path, type, sha256, data } of entries) {
      const base = path.slice(path.lastIndexOf('/') + 1);
      if (base.startsWith('.wh.')) continue;
      if (type === 'file' || type === 'contiguous-file' || type === 'link' || type === 'symlink')
        files.set(path, sha256);
      if (data) contents.set(path, data);
      else contents.delete(path);
    }
  }
  const charts = [...files.keys()].filter((f) => f.endsWith('.tgz')).sort();
  const sha256: Record<string, string> = {};
  const data: Record<string, Buffer> = {};
  for (const c of charts) {
    sha256[c] = files.get(c) ?? '';
    const d = contents.get(c);
    if (d) data[c] = d;
  }
  return { digest: manifest.digest, charts, sha256, data };
}

// The node's container runtime, as far as a copy Job needs it: pull an image from the real registry
// through the Registry HTTP API v2 (manifest → for an index the linux/amd64 manifest → config and
// layer blobs), unpack the layers in order with OCI whiteouts into an in-memory filesystem, and keep
// a per-node cache so `imagePullPolicy: IfNotPresent` reuses what was pulled before (the
// update-collections-chart's remove hook uses IfNotPresent, its copy Job Always; job.yaml,
// delete_hook.yaml). Failures carry the message containerd gives, which the kubelet puts into the
// pod's waiting state (ErrImagePull / ImagePullBackOff).
// Deliberately independent of packages/core's registry client: this is the platform side.
import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export class PullError extends Error {
  constructor(message, notFound) {
    super(message);
    this.notFound = notFound;
  }
}

/** `host:port/repo/name:tag` (or `@sha256:…`) → parts. */
export function parseRef(ref) {
  const at = ref.indexOf('@');
  const slash = ref.indexOf('/');
  if (slash < 0) throw new PullError(`invalid reference format: ${ref}`, false);
  const host = ref.slice(0, slash);
  let rest = at >= 0 ? ref.slice(slash + 1, at) : ref.slice(slash + 1);
  let reference = at >= 0 ? ref.slice(at + 1) : 'latest';
  const colon = rest.lastIndexOf(':');
  if (at < 0 && colon >= 0) {
    reference = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { host, repository: rest, reference };
}

async function get(url, accept) {
  let res;
  try {
    res = await fetch(url, { headers: accept ? { Accept: accept } : {}, signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    const cause = e?.cause?.code ?? e?.message ?? String(e);
    throw new PullError(`failed to do request: Head "${url}": dial tcp: ${cause}`, false);
  }
  return res;
}

/** Every entry of a (possibly gzip-compressed) tar: `{ path, type, data, linkname }`, in order. */
export async function tarEntries(blob) {
  const data = blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob;
  const out = [];
  const ex = tarStream.extract();
  await new Promise((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        out.push({
          path: header.name.replace(/^\.?\/+/, '').replace(/\/+$/, ''),
          type: header.type ?? 'file',
          data: Buffer.concat(chunks),
          linkname: header.linkname,
        });
        next();
      });
      stream.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
    Readable.from([data]).pipe(ex);
  });
  return out;
}

/**
 * Pulls `ref` from its registry (plain HTTP, as a node configured with the registry as insecure
 * does). Returns `{ digest, files: Map<absolute path, Buffer>, dirs: Set<absolute path> }`.
 */
export async function pullImage(ref) {
  const { host, repository, reference } = parseRef(ref);
  const base = `http://${host}/v2/${repository}`;
  let res = await get(`${base}/manifests/${reference}`, ACCEPT);
  if (res.status === 404) {
    throw new PullError(
      `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`,
      true,
    );
  }
  if (!res.ok)
    throw new PullError(
      `rpc error: code = Unknown desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": unexpected status from GET request to ${base}/manifests/${reference}: ${res.status} ${res.statusText}`,
      false,
    );
  let digest = res.headers.get('docker-content-digest') ?? '';
  let manifest = JSON.parse(Buffer.from(await res.arrayBuffer()).toString('utf8'));
  if (manifest.manifests) {
    const pick =
      manifest.manifests.find((m) => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64') ??
      manifest.manifests[0];
    if (!pick)
      throw new PullError(
        `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": no match for platform in manifest: not found`,
        true,
      );
    res = await get(`${base}/manifests/${pick.digest}`, ACCEPT);
    if (!res.ok)
      throw new PullError(`failed to pull and unpack image "${ref}": manifest ${pick.digest}: ${res.status}`, false);
    digest = pick.digest;
    manifest = JSON.parse(Buffer.from(await res.arrayBuffer()).toString('utf8'));
  }
  const files = new Map();
  const dirs = new Set(['/']);
  for (const layer of manifest.layers ?? []) {
    const blobRes = await get(`${base}/blobs/${layer.digest}`);
    if (!blobRes.ok)
      throw new PullError(
        `failed to pull and unpack image "${ref}": failed to copy: httpReadSeeker: failed open: content at ${base}/blobs/${layer.digest} not found: not found`,
        blobRes.status === 404,
      );
    const entries = await tarEntries(Buffer.from(await blobRes.arrayBuffer()));
    for (const e of entries) {
      const abs = `/${e.path}`;
      const baseName = abs.slice(abs.lastIndexOf('/') + 1);
      const dir = abs.slice(0, abs.length - baseName.length);
      if (baseName === '.wh..wh..opq') {
        for (const f of [...files.keys()]) if (f.startsWith(dir)) files.delete(f);
        for (const d of [...dirs]) if (d.startsWith(dir) && d !== dir.replace(/\/$/, '')) dirs.delete(d);
      } else if (baseName.startsWith('.wh.')) {
        const gone = dir + baseName.slice(4);
        for (const f of [...files.keys()]) if (f === gone || f.startsWith(`${gone}/`)) files.delete(f);
        for (const d of [...dirs]) if (d === gone || d.startsWith(`${gone}/`)) dirs.delete(d);
      }
    }
    for (const e of entries) {
      const abs = `/${e.path}`;
      if (abs.slice(abs.lastIndexOf('/') + 1).startsWith('.wh.')) continue;
      if (e.type === 'directory') dirs.add(abs);
      else if (e.type === 'file' || e.type === 'contiguous-file') files.set(abs, e.data);
      else if (e.type === 'link') files.set(abs, files.get(`/${e.linkname.replace(/^\/+/, '')}`) ?? Buffer.alloc(0));
      // symlinks: not followed by the copy containers' shutil.copyfile of regular files; kept out.
    }
  }
  for (const f of files.keys()) {
    for (let d = f.slice(0, f.lastIndexOf('/')); d; d = d.slice(0, d.lastIndexOf('/'))) dirs.add(d);
  }
  return { digest, files, dirs };
}

/** A node's image store: `Always` pulls (and refreshes the cache), `IfNotPresent` reuses it. */
export class NodeImages {
  constructor() {
    this.cache = new Map();
    this.pulls = [];
  }

  async obtain(ref, policy) {
    if (policy !== 'Always' && this.cache.has(ref)) return this.cache.get(ref);
    this.pulls.push(ref);
    const image = await pullImage(ref);
    this.cache.set(ref, image);
    return image;
  }
}

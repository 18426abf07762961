// Test fixtures for the simulator: chart archives made byte by byte (a Chart.yaml, optional
// requirements.yaml, values.yaml, subcharts in charts/) and images pushed straight to the real
// registry through the Registry API (one layer, no docker needed; docker can build FROM them), shaped like Kaapana's collection
// images: `/tmp/<chart>.tgz` (0.1.x, base-charts-manager) or `/kaapana/tmp/extensions/<chart>.tgz`
// (0.6.0, base-installer).
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { stringify } from 'yaml';

/** The uncompressed tar of `entries` (its sha256 is the layer's diff_id). */
async function tar(entries) {
  const pack = tarStream.pack();
  const chunks = [];
  pack.on('data', (c) => chunks.push(c));
  const done = new Promise((r) => pack.on('end', r));
  for (const e of entries) {
    if (e.type === 'directory') pack.entry({ name: e.name, type: 'directory', mode: 0o755, mtime: new Date(0) });
    else pack.entry({ name: e.name, mode: 0o644, mtime: new Date(0) }, e.data);
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/**
 * A chart archive `<name>-<version>.tgz`. `apiVersion` v1 lists dependencies in requirements.yaml,
 * v2 in Chart.yaml; `subcharts` are other makeChart specs packed into charts/ as .tgz.
 */
export async function makeChart(spec) {
  const { name, version = '0.1.0', apiVersion = 'v1', keywords = [], dependencies = [], subcharts = [] } = spec;
  const meta = {
    apiVersion,
    name,
    version,
    description: spec.description ?? `${name} chart`,
    ...(keywords.length ? { keywords } : {}),
  };
  if (apiVersion === 'v2' && dependencies.length)
    meta.dependencies = dependencies.map((d) => ({ name: d, version: '0.1.0' }));
  const entries = [{ name: `${name}/Chart.yaml`, data: Buffer.from(stringify(meta)) }];
  if (apiVersion === 'v1' && dependencies.length)
    entries.push({
      name: `${name}/requirements.yaml`,
      data: Buffer.from(stringify({ dependencies: dependencies.map((d) => ({ name: d, version: '0.1.0' })) })),
    });
  entries.push({
    name: `${name}/values.yaml`,
    data: Buffer.from(stringify(spec.values ?? { global: { image: name, version } })),
  });
  for (const s of subcharts)
    entries.push({ name: `${name}/charts/${s.name}-${s.version ?? '0.1.0'}.tgz`, data: await makeChart(s) });
  return gzipSync(await tar(entries));
}

/** A Kaapana workflow chart depending on dag-installer-chart; `withDeps: false` leaves charts/ empty. */
export function workflowChart(name, version = '0.1.0', withDeps = true) {
  return makeChart({
    name,
    version,
    keywords: ['kaapanaworkflow'],
    dependencies: ['dag-installer-chart'],
    subcharts: withDeps ? [{ name: 'dag-installer-chart', version: '0.1.0' }] : [],
  });
}

/** Pushes a one-layer image with `files` (absolute path → Buffer) as `ref` (`host/repo:tag`). */
export async function pushImage(ref, files) {
  const slash = ref.indexOf('/');
  const colon = ref.lastIndexOf(':');
  const host = ref.slice(0, slash);
  const repo = ref.slice(slash + 1, colon);
  const tag = ref.slice(colon + 1);
  const dirs = new Set();
  for (const p of Object.keys(files))
    for (let d = p.slice(0, p.lastIndexOf('/')); d; d = d.slice(0, d.lastIndexOf('/'))) dirs.add(d);
  const entries = [
    ...[...dirs].sort().map((d) => ({ name: `${d.slice(1)}/`, type: 'directory' })),
    ...Object.entries(files).map(([p, data]) => ({ name: p.slice(1), data })),
  ];
  const raw = await tar(entries);
  const layer = gzipSync(raw);
  const digest = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  // A complete image config (diff_ids of the layer), so docker can also build FROM the image.
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [digest(raw)] },
    }),
  );
  for (const blob of [layer, config]) {
    const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    if (start.status !== 202) throw new Error(`blob upload start: ${start.status}`);
    const loc = new URL(start.headers.get('location'), `http://${host}`);
    loc.searchParams.set('digest', digest(blob));
    const put = await fetch(loc, {
      method: 'PUT',
      body: blob,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    if (put.status !== 201) throw new Error(`blob upload: ${put.status}`);
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: {
      mediaType: 'application/vnd.docker.container.image.v1+json',
      size: config.length,
      digest: digest(config),
    },
    layers: [
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: digest(layer) },
    ],
  });
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${await res.text()}`);
  return res.headers.get('docker-content-digest');
}

/** Where a generation's collection image carries its charts (the copy container's source dir). */
export function collectionFiles(generation, charts) {
  const dir = generation === '0.1.x' ? '/tmp/' : '/kaapana/tmp/extensions/';
  return Object.fromEntries(Object.entries(charts).map(([file, data]) => [`${dir}${file}`, data]));
}

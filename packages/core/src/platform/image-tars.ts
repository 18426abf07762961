// Images for air-gapped platforms (Kaapana 0.6.0 docs: development_guide/
// drag_and_drop_workflow_extension.rst, faq/container_upload_failed.rst): each image is written with
// `docker save` into a tar that kube-helm's `/import-container` hands to `ctr image import`
// (file_handler.py run_containerd_import). Which images: references, or build-images' `images`
// output (JSON objects with ref/localOnly/status: local-only bases are never deployed, failed or
// unbuilt images cannot be saved). An image that is not in the local engine (build-images "skipped"
// it because the registry had it) is pulled first.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KxError, errorMessage } from '../errors/index.js';
import { DockerCli } from '../images/docker.js';
import { assertSafeFileName } from './chart-files.js';

export interface SavedImage {
  ref: string;
  fileName: string;
  path: string;
  size: number;
  saveMs: number;
  pulled: boolean;
}

/** Image references from the `images` input: a list of refs, or build-images' JSON output. */
export function parseImagesInput(text: string): string[] {
  const t = text.trim();
  if (!t) return [];
  if (t.startsWith('[')) {
    let list: unknown;
    try {
      list = JSON.parse(t);
    } catch (e) {
      throw new KxError(`input images looks like JSON but does not parse: ${(e as Error).message}`);
    }
    if (!Array.isArray(list)) throw new KxError('input images: JSON must be an array');
    const refs: string[] = [];
    for (const item of list) {
      if (typeof item === 'string') refs.push(item);
      else if (item && typeof item === 'object') {
        const o = item as { ref?: unknown; localOnly?: unknown; status?: unknown };
        if (o.localOnly === true) continue;
        if (o.status === 'failed' || o.status === 'not-built')
          throw new KxError(`input images: ${String(o.ref)} has status ${String(o.status)}; it cannot be delivered`);
        if (typeof o.ref === 'string') refs.push(o.ref);
      }
    }
    return [...new Set(refs)];
  }
  return [
    ...new Set(
      t
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/** `registry/path/name:tag` → `name-tag.tar` (digest references: `name-sha256-<12 hex>.tar`). */
export function imageTarName(ref: string): string {
  const at = ref.indexOf('@');
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const last = noDigest.split('/').pop() ?? noDigest;
  const colon = last.lastIndexOf(':');
  const name = colon >= 0 ? last.slice(0, colon) : last;
  const tag =
    at >= 0
      ? `sha256-${ref
          .slice(at + 1)
          .replace(/^sha256:/, '')
          .slice(0, 12)}`
      : colon >= 0
        ? last.slice(colon + 1)
        : 'latest';
  const file = `${name}-${tag}.tar`;
  assertSafeFileName(file, `tar name of image ${ref}`);
  return file;
}

/** Tar names for every image; two images that would share a name get the registry path prefixed. */
export function imageTarNames(refs: string[]): Map<string, string> {
  const names = new Map<string, string>();
  const used = new Map<string, string>();
  for (const ref of refs) {
    let file = imageTarName(ref);
    if (used.has(file)) {
      file = `${ref
        .split('@')[0]!
        .split('/')
        .slice(0, -1)
        .join('_')
        .replace(/[^A-Za-z0-9._-]/g, '_')}_${file}`;
      assertSafeFileName(file, `tar name of image ${ref}`);
      if (used.has(file))
        throw new KxError(`images ${ref} and ${used.get(file)} would be saved under the same file name ${file}`);
    }
    used.set(file, ref);
    names.set(ref, file);
  }
  return names;
}

export async function saveImage(
  docker: DockerCli,
  ref: string,
  dir: string,
  fileName: string,
  log: (line: string) => void,
): Promise<SavedImage> {
  let pulled = false;
  if (!(await docker.imageExists(ref))) {
    log(`${ref} is not in the local engine: docker pull ${ref}`);
    await docker.pull(ref).catch((e: unknown) => {
      throw new KxError(`image ${ref}: not in the local Docker engine, and pulling it failed: ${errorMessage(e)}`);
    });
    pulled = true;
  }
  const path = join(dir, fileName);
  const start = Date.now();
  const r = await docker.run(['save', '-o', path, ref], { allowFailure: true });
  if (r.exitCode !== 0)
    throw new KxError(`docker save ${ref} failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
  const saveMs = Date.now() - start;
  const size = (await stat(path)).size;
  return { ref, fileName, path, size, saveMs, pulled };
}

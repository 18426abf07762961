// Parsing of image references (`host[:port]/path/name[:tag][@digest]`) into the parts the registry
// HTTP API needs. Follows Docker's rule: the first component is a host when it contains "." or ":"
// or is "localhost"; otherwise the reference lives on Docker Hub.
import { KxError } from '../errors/index.js';

export interface ParsedRef {
  /** Registry host with port, e.g. `127.0.0.1:5000`; `registry-1.docker.io` for Hub. */
  registry: string;
  /** Repository path inside the registry, e.g. `kaapana/dag-example`. */
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(ref: string): ParsedRef {
  let rest = ref.trim().replace(/^oci:\/\//, '');
  if (!rest) throw new KxError('image reference is empty');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(digest))
      throw new KxError(`"${ref}" has a malformed digest`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  let registry = 'registry-1.docker.io';
  const first = parts[0] ?? '';
  if (
    parts.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))
  ) {
    registry = first;
    parts.shift();
  } else if (parts.length === 1) {
    parts.unshift('library');
  }
  if (registry === 'docker.io' || registry === 'index.docker.io') registry = 'registry-1.docker.io';
  const repository = parts.join('/');
  if (!repository) throw new KxError(`"${ref}" names no repository`);
  const out: ParsedRef = { registry, repository };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

/** True for registries that are reached over plain HTTP by default (loopback only, as docker does). */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

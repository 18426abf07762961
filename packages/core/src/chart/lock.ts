// Lock files (Chart.lock for apiVersion v2, requirements.lock for v1): helm's digest of the requested
// and the locked dependencies, the `generated` timestamp, and where the lock lives.
import { createHash } from 'node:crypto';
import { goJsonDependency, goJsonDependencyPair } from './go-json.js';
import { APIVersionV1, type Dependency, type Metadata } from './model.js';

/** helm `resolver.HashReq`: "sha256:" + hex(sha256(json.Marshal([req, locked]))). */
export function lockDigest(req: (Dependency | null)[] | undefined, locked: Dependency[]): string {
  return `sha256:${createHash('sha256').update(goJsonDependencyPair(req, locked)).digest('hex')}`;
}

/** Helm-2 digest still accepted by `helm dependency build` for v1 charts. */
export function legacyLockDigest(req: (Dependency | null)[] | undefined): string {
  const list = req === undefined ? 'null' : `[${req.map(goJsonDependency).join(',')}]`;
  const body = `{"dependencies":${list}}`;
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}

/** The lock file name helm uses for this chart. */
export function lockFileName(md: Metadata): string {
  return md.apiVersion === APIVersionV1 ? 'requirements.lock' : 'Chart.lock';
}

/** Go's time.Format(RFC3339Nano) of a Date in UTC: fraction trimmed of trailing zeros, `Z`. */
export function rfc3339Nano(d: Date): string {
  const iso = d.toISOString();
  return iso.replace(/\.(\d+)Z$/, (_m, frac: string) => {
    const t = frac.replace(/0+$/, '');
    return t ? `.${t}Z` : 'Z';
  });
}

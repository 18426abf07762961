// The last phase of the reference lint: every wanted reference must be an image this run builds with
// exactly that tag (any of its tags), or one the registry has (a Registry API HEAD on the manifest,
// through core/registry's client; only the run's own registry is asked). A reference to an image the
// run builds under another tag is the ErrImagePull every extension author meets: always an error.
import { parseImageRef, RegistryClient } from '../registry/index.js';
import { at, type BuiltImage, type ExistsLookup, type ReferenceFinding, type Want } from './model.js';

function repoOf(ref: string): string {
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(0, colon) : ref;
}

export async function checkWants(
  wants: Want[],
  images: BuiltImage[],
  exists: ExistsLookup | undefined,
): Promise<ReferenceFinding[]> {
  const pushed = images.filter((i) => !i.localOnly);
  const built = new Set(pushed.flatMap((i) => [i.ref, ...(i.tags ?? [])]));
  const byRepo = new Map(pushed.map((i) => [repoOf(i.ref), i]));
  const findings: ReferenceFinding[] = [];
  for (const w of wants) {
    if (built.has(w.ref)) continue;
    const same = byRepo.get(repoOf(w.ref));
    if (same) {
      const rule = same.versionRule ? ` (${same.versionRule})` : '';
      const message = `${w.what} resolves to ${w.ref}, but this run tags that image ${same.tag}${rule}: the platform would fail with ErrImagePull. Make the tags agree (version, image-versions, chart-version inputs)`;
      findings.push({ level: 'error', message, ...at(w) });
      continue;
    }
    const there = exists ? await exists(w.ref) : undefined;
    if (there === true) continue;
    findings.push(
      there === undefined
        ? {
            level: 'warning',
            message: `${w.what} resolves to ${w.ref}, which this run does not build; the registry could not be asked whether it exists`,
            ...at(w),
          }
        : {
            level: 'error',
            message: `${w.what} resolves to ${w.ref}, which this run does not build and the registry does not have: the platform would fail with ErrImagePull`,
            ...at(w),
          },
    );
  }
  return findings;
}

/**
 * Asks the registry `registry` (a prefix such as `127.0.0.1:5000/kaapana`) whether a reference exists;
 * references on other hosts, and any failure to ask, give undefined.
 */
export function registryLookup(registry: string, auth: { username?: string; password?: string } = {}): ExistsLookup {
  const host = parseImageRef(`${registry}/x:1`).registry;
  const client = new RegistryClient({
    registry: host,
    ...(auth.username && auth.password ? { username: auth.username, password: auth.password } : {}),
    retry: { attempts: 1 },
  });
  return async (ref) => {
    const p = parseImageRef(ref);
    if (p.registry !== host) return undefined;
    try {
      return (await client.headManifest(p.repository, p.digest ?? p.tag ?? 'latest')) !== undefined;
    } catch {
      return undefined;
    }
  };
}

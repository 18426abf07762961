// Test access to the real registry that scripts/with-services.sh starts on loopback, plus unique
// repository names so tests and reruns never collide.
import { randomBytes } from 'node:crypto';
import { RegistryClient } from '@kaapana-ext/core/registry';

export const REGISTRY = process.env.KX_REGISTRY ?? '127.0.0.1:5000';

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function registryClient(registry = REGISTRY): RegistryClient {
  return new RegistryClient({ registry });
}

/** True when the registry answers; integration tests skip with a reason otherwise. */
export async function registryAvailable(registry = REGISTRY): Promise<boolean> {
  try {
    const res = await fetch(`http://${registry}/v2/`, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

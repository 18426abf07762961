// Types of the Keycloak-like token endpoint (keycloak.mjs), for TypeScript tests.
export const TOKEN_PATH: string;

export interface KeycloakOptions {
  /** client id → secret (null: a public client). Default { kaapana: 'kaapana-secret' }. */
  clients?: Record<string, string | null>;
  /** user → password. Default { kaapana: 'admin' }. */
  users?: Record<string, string>;
  accessTtlSec?: number;
  refreshTtlSec?: number;
  tls?: { key: string; cert: string };
  now?: () => number;
}

export interface Keycloak {
  origin: string;
  tokenUrl: string;
  state: {
    accessTtlSec: number;
    refreshTtlSec: number;
    issued: string[];
    requests: Array<{ grant: string | null; status: number }>;
  };
  check(token: string): 'ok' | 'expired' | 'unknown';
  expireAccessTokens(): void;
  close(): Promise<void>;
}

export function startKeycloak(options?: KeycloakOptions): Promise<Keycloak>;

// OIDC access tokens from a Kaapana platform's Keycloak, as Kaapana's own CI gets them
// (../shared/reference/kaapana/v0.6.0/ci/ci-code/test/src/base_utils/KaapanaAuth.py: POST
// form-encoded to <platform>/auth/realms/kaapana/protocol/openid-connect/token, client `kaapana`,
// grant `password`) — here with the client-credentials grant when no user is given, TLS verification
// always on (KaapanaAuth's verify=False is not copied; a CA bundle can be added instead), and tokens
// that expire: each access token is handed to `mask` the moment it arrives, renewed shortly before
// `expires_in` runs out (refresh_token grant while the refresh token lives, a new grant otherwise),
// and renewed on demand after a 401. Keycloak's error answers ({"error","error_description"}) are
// turned into messages that name the grant and the client, never the secret.
import { PlatformHttp, PlatformError, type SecretRedactor } from './http.js';

export const KAAPANA_REALM_TOKEN_PATH = '/auth/realms/kaapana/protocol/openid-connect/token';

export interface OidcOptions {
  /** Token endpoint URL. */
  tokenUrl: string;
  clientId: string;
  clientSecret?: string;
  /** With username + password: the password grant (as KaapanaAuth.py), else client credentials. */
  username?: string;
  password?: string;
  ca?: string;
  /** Called with every access/refresh token as soon as it is received (core.setSecret). */
  mask?: (secret: string) => void;
  redactor: SecretRedactor;
  /** Renew this long before the token expires (default 30 s, at most half the lifetime). */
  marginMs?: number;
  /** Clock, for tests of the policy. */
  now?: () => number;
}

interface TokenSet {
  accessToken: string;
  expiresAt: number;
  lifetimeMs: number;
  refreshToken?: string;
  refreshExpiresAt?: number;
}

/** The token endpoint of a platform URL: `https://host[:port]/auth/realms/kaapana/...`. */
export function defaultTokenUrl(platformUrl: string): string {
  const u = new URL(platformUrl);
  return `${u.origin}${KAAPANA_REALM_TOKEN_PATH}`;
}

export class TokenSource {
  private current: TokenSet | undefined;
  private pending: Promise<TokenSet> | undefined;
  private readonly http: PlatformHttp;
  private readonly now: () => number;
  /** How many tokens were obtained (grants + refreshes), for the summary. */
  obtained = 0;

  constructor(private readonly opts: OidcOptions) {
    opts.redactor.add(opts.clientSecret);
    opts.redactor.add(opts.password);
    this.http = new PlatformHttp({ baseUrl: opts.tokenUrl, ...(opts.ca ? { ca: opts.ca } : {}) }, opts.redactor);
    this.now = opts.now ?? Date.now;
  }

  get grant(): 'password' | 'client_credentials' {
    return this.opts.username ? 'password' : 'client_credentials';
  }

  /** A valid access token, renewed when it is about to expire. */
  async token(): Promise<string> {
    const t = this.current;
    if (t && this.now() < t.expiresAt - this.margin(t)) return t.accessToken;
    return (await this.renew()).accessToken;
  }

  /** Forget the current access token (the platform answered 401) and get another one. */
  async invalidate(): Promise<string> {
    if (this.current) this.current = { ...this.current, expiresAt: 0 };
    return (await this.renew()).accessToken;
  }

  /** Renew `marginMs` before expiry, but never earlier than half way through the token's life. */
  private margin(t: TokenSet): number {
    return Math.min(this.opts.marginMs ?? 30_000, t.lifetimeMs / 2);
  }

  private renew(): Promise<TokenSet> {
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchToken(): Promise<TokenSet> {
    const t = this.current;
    if (t?.refreshToken && (t.refreshExpiresAt === undefined || this.now() < t.refreshExpiresAt - 5_000)) {
      try {
        return this.accept(
          await this.post({ grant_type: 'refresh_token', refresh_token: t.refreshToken }, 'refresh the access token'),
        );
      } catch (e) {
        // An expired or revoked refresh token: fall back to a new grant.
        if (!(e instanceof PlatformError) || (e.status !== 400 && e.status !== 401)) throw e;
      }
    }
    const form: Record<string, string> =
      this.grant === 'password'
        ? { grant_type: 'password', username: this.opts.username ?? '', password: this.opts.password ?? '' }
        : { grant_type: 'client_credentials' };
    return this.accept(
      await this.post(form, `get an access token (${this.grant} grant, client ${this.opts.clientId})`),
    );
  }

  private async post(form: Record<string, string>, step: string): Promise<Record<string, unknown>> {
    const body = new URLSearchParams({
      ...form,
      client_id: this.opts.clientId,
      ...(this.opts.clientSecret ? { client_secret: this.opts.clientSecret } : {}),
    });
    const req = {
      method: 'POST' as const,
      path: '',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: Buffer.from(body.toString()),
    };
    const reply = await this.http.send(req, step);
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(reply.body) as Record<string, unknown>;
    } catch {
      // not JSON: reported below
    }
    if (reply.status !== 200 || typeof json.access_token !== 'string') {
      const why =
        typeof json.error === 'string'
          ? `${json.error}${typeof json.error_description === 'string' ? `: ${json.error_description}` : ''}`
          : '';
      throw this.http.answerError(
        step,
        req,
        why ? { ...reply, body: why } : reply,
        ` (token endpoint ${this.opts.tokenUrl})`,
      );
    }
    return json;
  }

  private accept(json: Record<string, unknown>): TokenSet {
    const access = json.access_token as string;
    this.opts.mask?.(access);
    this.opts.redactor.add(access);
    const refresh = typeof json.refresh_token === 'string' ? json.refresh_token : undefined;
    if (refresh) {
      this.opts.mask?.(refresh);
      this.opts.redactor.add(refresh);
    }
    const now = this.now();
    const expiresIn = typeof json.expires_in === 'number' ? json.expires_in : 60;
    const refreshIn =
      typeof json.refresh_expires_in === 'number' && json.refresh_expires_in > 0 ? json.refresh_expires_in : undefined;
    const set: TokenSet = {
      accessToken: access,
      expiresAt: now + expiresIn * 1000,
      lifetimeMs: expiresIn * 1000,
      ...(refresh ? { refreshToken: refresh } : {}),
      ...(refresh && refreshIn ? { refreshExpiresAt: now + refreshIn * 1000 } : {}),
    };
    this.current = set;
    this.obtained++;
    return set;
  }

  close(): void {
    this.http.close();
  }
}

// A Keycloak-like OIDC token endpoint for the platform simulator: the realm `kaapana` at
// `/auth/realms/kaapana/protocol/openid-connect/token`, as Kaapana's own CI asks it for tokens
// (../shared/reference/kaapana/v0.6.0/ci/ci-code/test/src/base_utils/KaapanaAuth.py: POST
// form-encoded username, password, client_id, client_secret, grant_type=password; reads
// `access_token`). What it does, from Keycloak's token endpoint (OAuth 2.0, RFC 6749 §4.3, §4.4, §5,
// §6; Keycloak's answers carry `error` + `error_description`):
//  - grants `password` (client authenticated by client_secret, user by username/password),
//    `client_credentials` (confidential client only; Keycloak issues no refresh token for it unless
//    the client enables "use refresh tokens for client credentials"), `refresh_token`;
//  - 200 {access_token, expires_in, refresh_expires_in, refresh_token?, token_type: "Bearer",
//    "not-before-policy", session_state?, scope};
//  - 401 {"error":"unauthorized_client","error_description":"Invalid client or Invalid client credentials"}
//    for a wrong client secret; 401 {"error":"invalid_grant","error_description":"Invalid user credentials"}
//    for a wrong password; 400 {"error":"invalid_grant","error_description":"Token is not active"} for
//    an expired refresh token; 400 {"error":"unsupported_grant_type",…} otherwise.
// Tokens are opaque random strings here (Keycloak's are JWTs; the platform's ingress only needs to
// know whether one is valid). `check(token)` is what the ingress asks: 'ok', 'expired' or 'unknown'.
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { randomBytes } from 'node:crypto';

export const TOKEN_PATH = '/auth/realms/kaapana/protocol/openid-connect/token';

/**
 * Options: clients { [id]: secret }, users { [name]: password }, accessTtlSec (default 300),
 * refreshTtlSec (default 1800), tls { key, cert } for HTTPS, now() for tests.
 */
export async function startKeycloak(options = {}) {
  const clients = options.clients ?? { kaapana: 'kaapana-secret' };
  const users = options.users ?? { kaapana: 'admin' };
  const now = options.now ?? Date.now;
  const access = new Map(); // token -> { expiresAt, sub }
  const refresh = new Map();
  const state = {
    accessTtlSec: options.accessTtlSec ?? 300,
    refreshTtlSec: options.refreshTtlSec ?? 1800,
    issued: [],
    requests: [],
  };

  function issue(sub, clientId, withRefresh) {
    const token = `kc-at-${randomBytes(18).toString('hex')}`;
    access.set(token, { expiresAt: now() + state.accessTtlSec * 1000, sub, clientId });
    state.issued.push(token);
    const body = {
      access_token: token,
      expires_in: state.accessTtlSec,
      refresh_expires_in: withRefresh ? state.refreshTtlSec : 0,
      token_type: 'Bearer',
      'not-before-policy': 0,
      scope: 'profile email',
    };
    if (withRefresh) {
      const rt = `kc-rt-${randomBytes(18).toString('hex')}`;
      refresh.set(rt, { expiresAt: now() + state.refreshTtlSec * 1000, sub, clientId });
      body.refresh_token = rt;
      body.session_state = randomBytes(8).toString('hex');
    }
    return body;
  }

  function tokenEndpoint(form) {
    const clientId = form.get('client_id');
    const secret = form.get('client_secret');
    const err = (status, error, description) => ({ status, body: { error, error_description: description } });
    if (!clientId || !(clientId in clients))
      return err(401, 'unauthorized_client', 'Invalid client or Invalid client credentials');
    if (clients[clientId] !== null && clients[clientId] !== secret)
      return err(401, 'unauthorized_client', 'Invalid client or Invalid client credentials');
    const grant = form.get('grant_type');
    if (grant === 'password') {
      const user = form.get('username');
      if (!user || users[user] === undefined || users[user] !== form.get('password'))
        return err(401, 'invalid_grant', 'Invalid user credentials');
      return { status: 200, body: issue(user, clientId, true) };
    }
    if (grant === 'client_credentials') {
      if (clients[clientId] === null)
        return err(401, 'unauthorized_client', 'Public client not allowed to retrieve service account');
      return { status: 200, body: issue(`service-account-${clientId}`, clientId, false) };
    }
    if (grant === 'refresh_token') {
      const rt = refresh.get(form.get('refresh_token') ?? '');
      if (!rt || rt.clientId !== clientId || now() >= rt.expiresAt)
        return err(400, 'invalid_grant', 'Token is not active');
      return { status: 200, body: issue(rt.sub, clientId, true) };
    }
    return err(400, 'unsupported_grant_type', 'Unsupported grant_type');
  }

  const handler = (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://keycloak');
      let out;
      if (req.method !== 'POST' || url.pathname !== TOKEN_PATH)
        out = { status: 404, body: { error: 'Unable to find matching target resource method.' } };
      else {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        out = tokenEndpoint(form);
        state.requests.push({ grant: form.get('grant_type'), status: out.status });
      }
      const body = JSON.stringify(out.body);
      res.writeHead(out.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
  const server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : createHttpServer(handler);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${server.address().port}`;
  return {
    origin,
    tokenUrl: `${origin}${TOKEN_PATH}`,
    state,
    /** 'ok' | 'expired' | 'unknown' — what the platform's ingress checks for a bearer token. */
    check(token) {
      const t = access.get(token);
      if (!t) return 'unknown';
      return now() < t.expiresAt ? 'ok' : 'expired';
    },
    /** Make every access token issued so far expire now (refresh tokens stay valid). */
    expireAccessTokens() {
      for (const t of access.values()) t.expiresAt = 0;
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

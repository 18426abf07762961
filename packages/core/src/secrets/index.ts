// What counts as a secret in kaapana-ext's inputs and how it is kept out of every message: the
// names of credential-bearing inputs, credentials written into URLs (`oci://user:password@host`,
// `https://user:token@charts.example.org`), splitting such a URL into a clean URL plus credentials,
// and redacting userinfo from any text before it is shown. Masking in runner logs (`::add-mask::`)
// is the action layer's job (@kaapana-ext/actions-kit); this module only decides what to mask.

/** Input names whose values are secrets as a whole (password, token, kubeconfig, ...). */
export const SECRET_INPUT_NAME = /password|passwd|token|secret|kubeconfig|credential|private-key|api-key/i;

export function isSecretInputName(name: string): boolean {
  return SECRET_INPUT_NAME.test(name);
}

// scheme://userinfo@ — `user:password@` (the password may even hold an unencoded `/`, which a
// person pasting a token easily writes; `@` must be %40 as URLs require) or `user@` (a token as user).
const USERINFO = String.raw`(?:[^\s/?#@:]*:[^\s@]*|[^\s/?#@:]+)`;
const URL_USERINFO = new RegExp(String.raw`\b([a-z][a-z0-9+.-]*:\/\/)${USERINFO}@`, 'gi');
const URL_WITH_USERINFO = new RegExp(String.raw`^([a-z][a-z0-9+.-]*:\/\/)(${USERINFO})@(.*)$`, 'is');

/** `text` with the userinfo of every URL in it replaced by `***`. */
export function redactUrls(text: string): string {
  return text.replace(URL_USERINFO, '$1***@');
}

export interface UrlCredentials {
  /** The URL without userinfo. */
  url: string;
  username?: string;
  password?: string;
}

/** Split `scheme://user:password@host/...` into the URL without userinfo and the decoded credentials. */
export function splitUrlCredentials(raw: string): UrlCredentials {
  const m = URL_WITH_USERINFO.exec(raw.trim());
  if (!m) return { url: raw.trim() };
  const [, scheme, userinfo, rest] = m as unknown as [string, string, string, string];
  const colon = userinfo.indexOf(':');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const out: UrlCredentials = { url: `${scheme}${rest}` };
  const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
  if (user) out.username = decode(user);
  if (colon >= 0) out.password = decode(userinfo.slice(colon + 1));
  return out;
}

/**
 * The strings to mask for one input value: the whole value for a secret-named input, else the
 * credentials of every URL in it (raw and decoded, and `user:password` together).
 */
export function secretsInInput(name: string, value: string): string[] {
  const out = new Set<string>();
  if (isSecretInputName(name)) {
    if (value.trim()) out.add(value.trim());
    for (const line of value.split(/\r?\n/)) if (line.trim().length >= 4) out.add(line.trim());
  }
  for (const m of value.matchAll(URL_USERINFO)) {
    const userinfo = m[0].slice((m[1] as string).length, -1);
    const colon = userinfo.indexOf(':');
    if (colon < 0) continue;
    const password = userinfo.slice(colon + 1);
    if (!password) continue;
    out.add(userinfo);
    out.add(password);
    const decoded = splitUrlCredentials(`${m[0]}x`).password;
    if (decoded) out.add(decoded);
  }
  return [...out].filter((s) => s.length > 0);
}

// Credentials for kubectl: turning a `kubeconfig` input (YAML text or base64 of it) into a private
// file (mode 0600 in a 0700 temp dir) and naming the values that must be masked in logs. Also the
// check that some credentials exist at all when no input is given. Does not run kubectl.
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, isMap } from 'yaml';
import { KxError } from '../errors/index.js';
import { pathExists, writeFileAtomic } from '../fsutil/index.js';

const INPUT = 'kubeconfig input';
// Credential values of a kubeconfig user: static ones, the auth-provider (OIDC) config's secrets,
// and — collected separately below — every `value` of an exec plugin's `env` list.
const SECRET_KEYS = new Set([
  'token',
  'password',
  'client-key-data',
  'client-certificate-data',
  'id-token',
  'refresh-token',
  'client-secret',
  'access-token',
]);

export interface ParsedKubeconfig {
  /** The YAML text (decoded when the input was base64). */
  text: string;
  contexts: string[];
  currentContext?: string;
  /** Values to mask: the raw input, the decoded text, and every credential value inside. */
  secrets: string[];
}

/** Accepts kubeconfig YAML or its base64; throws a KxError naming the input otherwise. */
export function parseKubeconfigInput(raw: string): ParsedKubeconfig {
  const trimmed = raw.trim();
  if (!trimmed) throw new KxError(`${INPUT} is empty`);
  let text = trimmed;
  const compact = trimmed.replace(/\s+/g, '');
  if (!trimmed.includes(':') && /^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) {
    text = Buffer.from(compact, 'base64').toString('utf8');
    if (!/\w+:/.test(text)) throw new KxError(`${INPUT} looks like base64 but does not decode to YAML`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const line = err.linePos?.[0]?.line;
    throw new KxError(
      `${INPUT} is not valid YAML: ${err.message.split('\n')[0]}`,
      line ? { file: INPUT, line } : { file: INPUT },
    );
  }
  const root: unknown = doc.toJS();
  if (!isMap(doc.contents) || typeof root !== 'object' || root === null) {
    throw new KxError(`${INPUT} is not a kubeconfig (expected a mapping with clusters, users and contexts)`, {
      file: INPUT,
    });
  }
  const obj = root as Record<string, unknown>;
  if (!Array.isArray(obj['clusters']) || obj['clusters'].length === 0) {
    throw new KxError(`${INPUT} has no clusters`, { file: INPUT, ...lineOf(text, 'clusters') });
  }
  const contexts = Array.isArray(obj['contexts'])
    ? (obj['contexts'] as Array<{ name?: unknown }>).map((c) => String(c?.name ?? '')).filter(Boolean)
    : [];
  const secrets = new Set<string>([trimmed, text]);
  // The runner masks line by line best: also register each line of a (wrapped) base64 input.
  if (text !== trimmed) for (const line of trimmed.split(/\r?\n/)) secrets.add(line.trim());
  collectSecrets(obj, secrets);
  const current = obj['current-context'];
  return {
    text,
    contexts,
    ...(typeof current === 'string' && current ? { currentContext: current } : {}),
    secrets: [...secrets].filter((s) => s.length >= 4),
  };
}

function collectSecrets(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) collectSecrets(n, out);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (SECRET_KEYS.has(k) && typeof v === 'string') out.add(v);
      else if (k === 'exec' && v && typeof v === 'object') collectExecSecrets(v as Record<string, unknown>, out);
      else collectSecrets(v, out);
    }
  }
}

/** An exec plugin's environment values (`env: [{name, value}]`) carry tokens: all are secrets. */
function collectExecSecrets(exec: Record<string, unknown>, out: Set<string>): void {
  const env = exec['env'];
  if (Array.isArray(env))
    for (const e of env)
      if (e && typeof e === 'object' && typeof (e as { value?: unknown }).value === 'string')
        out.add((e as { value: string }).value);
  collectSecrets({ ...exec, env: undefined }, out);
}

function lineOf(text: string, key: string): { line?: number } {
  const i = text.split('\n').findIndex((l) => l.startsWith(`${key}:`));
  return i >= 0 ? { line: i + 1 } : {};
}

/** Throws unless `context` (when given) is one of the kubeconfig's contexts. */
export function checkContext(parsed: ParsedKubeconfig, context: string | undefined): void {
  if (!context) {
    if (!parsed.currentContext && parsed.contexts.length !== 1) {
      throw new KxError(
        `${INPUT} has no current-context; set the context input (one of: ${parsed.contexts.join(', ') || 'none'})`,
      );
    }
    return;
  }
  if (!parsed.contexts.includes(context)) {
    throw new KxError(`context "${context}" is not in the ${INPUT} (it has: ${parsed.contexts.join(', ') || 'none'})`);
  }
}

export interface WrittenKubeconfig {
  /** The kubeconfig file, mode 0600. */
  path: string;
  /** Private temp dir holding it (mode 0700); remove it with `removeKubeconfigDir`. */
  dir: string;
}

/** Writes the kubeconfig text into a fresh private dir under `parent` (RUNNER_TEMP or the OS temp dir). */
export async function writeKubeconfig(
  text: string,
  parent: string = process.env['RUNNER_TEMP'] || tmpdir(),
): Promise<WrittenKubeconfig> {
  const dir = await mkdtemp(join(parent, 'kx-kube-'));
  const path = join(dir, 'kubeconfig');
  await writeFileAtomic(path, text, { mode: 0o600 });
  return { path, dir };
}

export async function removeKubeconfigDir(dir: string): Promise<void> {
  if (!dir.includes('kx-kube-')) throw new Error(`refusing to remove ${dir}: not a kaapana-ext kubeconfig dir`);
  await rm(dir, { recursive: true, force: true });
}

/** True when kubectl would find credentials without a kubeconfig input. */
export async function hasAmbientCredentials(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (env['KUBECONFIG']) return true;
  if (env['KUBERNETES_SERVICE_HOST']) return true;
  return pathExists(join(env['HOME'] || homedir(), '.kube', 'config'));
}

// Registry logins for actions: `docker login` in the main step (password on stdin, masked before
// anything else happens) remembered in the action state, and the matching logouts in the post
// step. `registry-auth` (several registries, e.g. one for private base images and one to push to)
// is read here: a YAML list of {registry, username, password}; errors about it never quote it.
import * as core from '@actions/core';
import { parse as parseYaml } from 'yaml';
import { KxError } from '@kaapana-ext/core';
import { DockerCli } from '@kaapana-ext/core/docker';
import { actionsExec } from './exec.js';

const STATE = 'logged-in-registry';
const STATE_ALL = 'logged-in-registries';

export interface RegistryCredentials {
  registry: string;
  username: string;
  password: string;
}

/**
 * Parse `registry-auth`: a YAML (or JSON) list of maps with registry, username and password.
 * Every password is masked at once (also when a later entry is wrong). Error messages name the
 * entry by number and field, never show a value (the text holds secrets).
 */
export function parseRegistryAuth(
  text: string,
  input = 'registry-auth',
  mask: (s: string) => void = core.setSecret,
): RegistryCredentials[] {
  if (text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (e) {
    const pos = (e as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new KxError(
      `input ${input} is not valid YAML${pos ? ` (line ${pos})` : ''}: write a list of {registry, username, password}`,
    );
  }
  if (!Array.isArray(parsed)) throw new KxError(`input ${input} must be a YAML list of {registry, username, password}`);
  for (const entry of parsed) {
    const pw = (entry as { password?: unknown } | null)?.password;
    if (pw !== undefined && pw !== null && String(pw) !== '') mask(String(pw));
  }
  const out: RegistryCredentials[] = [];
  parsed.forEach((entry: unknown, i: number) => {
    const where = `input ${input}, entry ${i + 1}`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry))
      throw new KxError(`${where} must be a map with registry, username and password`);
    const e = entry as Record<string, unknown>;
    const unknown = Object.keys(e).filter((k) => !['registry', 'username', 'password'].includes(k));
    if (unknown.length)
      throw new KxError(`${where}: unknown key(s) ${unknown.join(', ')} (allowed: registry, username, password)`);
    for (const k of ['registry', 'username', 'password'] as const) {
      if (e[k] === undefined || e[k] === null || String(e[k]).trim() === '')
        throw new KxError(
          `${where}: ${k} is missing or empty${k === 'password' ? ' (an unset secret gives an empty value)' : ''}`,
        );
    }
    const registry = String(e.registry)
      .trim()
      .replace(/^https?:\/\//, '')
      .replace(/\/+$/, '');
    if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(registry) && !/^\[[0-9a-fA-F:]+\](:\d+)?$/.test(registry)) {
      throw new KxError(
        `${where}: registry "${registry}" must be a registry host such as ghcr.io or registry.example.org:5000 (no path)`,
      );
    }
    out.push({ registry, username: String(e.username), password: String(e.password) });
  });
  const seen = new Set<string>();
  for (const c of out) {
    if (seen.has(c.registry)) throw new KxError(`input ${input}: registry ${c.registry} is listed twice`);
    seen.add(c.registry);
  }
  return out;
}

export async function loginForPost(
  docker: DockerCli,
  registry: string,
  username: string,
  password: string,
): Promise<void> {
  await loginAllForPost(docker, [{ registry, username, password }]);
}

/**
 * Log in to each registry (password on stdin). The registries are saved in the state after each
 * login, so the post step logs out of every one that succeeded even when a later login fails.
 */
export async function loginAllForPost(docker: DockerCli, credentials: RegistryCredentials[]): Promise<void> {
  const done: string[] = [];
  // The passwords are already masked by whoever read them (getSecret, parseRegistryAuth).
  for (const c of credentials) {
    await core.group(`Login to ${c.registry}`, () => docker.login(c.registry, c.username, c.password));
    done.push(c.registry);
    core.saveState(STATE_ALL, JSON.stringify(done));
  }
}

/** The post step: log out of every registry the main step logged in to, if any. */
export async function logoutFromState(docker: DockerCli = new DockerCli({ exec: actionsExec })): Promise<void> {
  const registries: string[] = [];
  const all = core.getState(STATE_ALL);
  if (all) {
    try {
      registries.push(...(JSON.parse(all) as string[]));
    } catch {
      core.warning(`post step: unreadable state ${STATE_ALL}`);
    }
  }
  const single = core.getState(STATE);
  if (single && !registries.includes(single)) registries.push(single);
  for (const registry of registries) {
    await docker.logout(registry);
    core.info(`logged out of ${registry}`);
  }
}

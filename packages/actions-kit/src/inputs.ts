// An action's inputs as its action.yml declares them: `actionInputs(import.meta.url)` reads the
// action.yml one directory above the calling module (src/ in tests, dist/ in the bundle) once, and
// every reader falls back to the default written there — so no default is written twice. Reading a
// name action.yml does not declare is a programming error and throws at once. The typed readers
// follow the runner's rules (booleans as `core.getBooleanInput`) with errors naming the input.
import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { KxError } from '@kaapana-ext/core';
import { getBool, getChoice, getInt, getList, getMap, getSecret } from './readers.js';

export interface ActionInputs {
  /** The action.yml default of `name` ('' when it has none). */
  defaultOf(name: string): string;
  /** The value, trimmed; the action.yml default when empty. */
  string(name: string): string;
  bool(name: string): boolean;
  int(name: string, min?: number): number;
  choice<T extends string>(name: string, choices: readonly T[]): T;
  list(name: string): string[];
  /** Lines of a multi-line input, not split at commas (trimmed, blanks and `#` comments dropped). */
  lines(name: string): string[];
  map(name: string): Record<string, string>;
  /** Read and masked at once; never defaulted. */
  secret(name: string): string;
}

/** Inputs declared in an action.yml: name → default (as text, '' when absent). */
export function readActionDefaults(actionYml: string): Map<string, string> {
  const doc = parseYaml(readFileSync(actionYml, 'utf8')) as {
    inputs?: Record<string, { default?: unknown } | null>;
  } | null;
  const out = new Map<string, string>();
  for (const [name, spec] of Object.entries(doc?.inputs ?? {})) {
    const d = spec?.default;
    out.set(name, d === undefined || d === null ? '' : String(d));
  }
  return out;
}

/**
 * The inputs of the action whose module is `moduleUrl` (pass `import.meta.url`): its action.yml is
 * `../action.yml` from that module's directory. `actionYml` overrides the path (tests).
 */
export function actionInputs(
  moduleUrl: string,
  actionYml = join(dirname(fileURLToPath(moduleUrl)), '..', 'action.yml'),
): ActionInputs {
  const defaults = readActionDefaults(actionYml);
  const declared = (name: string): string => {
    const d = defaults.get(name);
    if (d === undefined) throw new KxError(`input ${name} is not declared in ${actionYml}`);
    return d;
  };
  const orDefault = (name: string): string => core.getInput(name) || declared(name).trim();
  const withDefault = <T>(name: string, read: (fallback: string) => T): T => {
    const fallback = declared(name).trim();
    return read(fallback);
  };
  return {
    defaultOf: declared,
    string: orDefault,
    bool: (name) => withDefault(name, (d) => getBool(name, d === '' ? false : parseDefaultBool(name, d))),
    int: (name, min = 0) => withDefault(name, (d) => getInt(name, d === '' ? 0 : Number(d), min)),
    choice: <T extends string>(name: string, choices: readonly T[]) =>
      withDefault(name, (d) => getChoice(name, choices, d as T)),
    list: (name) => {
      declared(name);
      return core.getInput(name) ? getList(name) : splitList(declared(name));
    },
    lines: (name) => {
      const fallback = declared(name);
      return (core.getInput(name) || fallback)
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter((s) => s !== '' && !s.startsWith('#'));
    },
    map: (name) => {
      declared(name);
      return getMap(name);
    },
    secret: (name) => {
      declared(name);
      return getSecret(name);
    },
  };
}

function parseDefaultBool(name: string, d: string): boolean {
  if (['true', 'True', 'TRUE'].includes(d)) return true;
  if (['false', 'False', 'FALSE'].includes(d)) return false;
  throw new KxError(`action.yml: the default of ${name} must be true or false, not "${d}"`);
}

function splitList(text: string): string[] {
  return text
    .split(/\r?\n|,/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
}

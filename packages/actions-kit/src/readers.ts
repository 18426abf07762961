// Typed readers of action inputs (lists, maps, booleans by the runner's rules, numbers, choices,
// secrets masked at once) with errors that name the input. Callers give the fallback; actions use
// them through ./inputs.ts, which takes every fallback from the action's action.yml.
import * as core from '@actions/core';
import { parse as parseYaml } from 'yaml';
import { KxError, errorMessage } from '@kaapana-ext/core';

/** Items of a list input: newline- or comma-separated, trimmed, blanks and `#` comments dropped. */
export function getList(name: string): string[] {
  return core
    .getInput(name)
    .split(/\r?\n|,/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
}

/**
 * A boolean input by the runner's rules (`core.getBooleanInput`, the YAML 1.2 core schema): only
 * true/True/TRUE and false/False/FALSE; empty gives `fallback`. Anything else (yes, on, 1) is an
 * error naming the input, not a guess.
 */
export function getBool(name: string, fallback: boolean): boolean {
  const raw = core.getInput(name);
  if (raw === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(raw)) return true;
  if (['false', 'False', 'FALSE'].includes(raw)) return false;
  throw new KxError(`input ${name} must be true or false (true, True, TRUE, false, False or FALSE), not "${raw}"`);
}

export function getInt(name: string, fallback: number, min = 0): number {
  const raw = core.getInput(name).trim();
  if (raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new KxError(`input ${name} must be a whole number ≥ ${min}, not "${raw}"`);
  return n;
}

export function getChoice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const raw = core.getInput(name).trim();
  if (raw === '') return fallback;
  if (!(choices as readonly string[]).includes(raw))
    throw new KxError(`input ${name} must be one of ${choices.join(', ')}, not "${raw}"`);
  return raw as T;
}

/** A map input, written as YAML/JSON (`{a: b}` or `a: b` lines) or as `key=value` lines. */
export function getMap(name: string): Record<string, string> {
  const raw = core.getInput(name).trim();
  if (raw === '') return {};
  const out: Record<string, string> = {};
  if (/^[^=\n]+=/.test(raw) && !/^\s*[{[]/.test(raw)) {
    for (const line of raw.split(/\r?\n/)) {
      const l = line.trim();
      if (!l || l.startsWith('#')) continue;
      const eq = l.indexOf('=');
      if (eq <= 0) throw new KxError(`input ${name}: "${l}" is not key=value`);
      out[l.slice(0, eq).trim()] = l.slice(eq + 1).trim();
    }
    return out;
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(raw);
  } catch (e) {
    throw new KxError(`input ${name} is neither key=value lines nor a YAML/JSON map: ${errorMessage(e)}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new KxError(`input ${name} must be a map`);
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) out[k] = String(v);
  return out;
}

/** Read a secret input and mask it at once. */
export function getSecret(name: string): string {
  const v = core.getInput(name);
  if (v) core.setSecret(v);
  return v;
}

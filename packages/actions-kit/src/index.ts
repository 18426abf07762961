// @kaapana-ext/actions-kit, the GitHub Actions glue shared by the action adapters (the domain lives
// in @kaapana-ext/core, which never imports @actions/*): typed input readers (lists, maps, booleans, numbers with
// clear errors), masking of every credential an input carries, failure reporting (each failure
// becomes exactly one error annotation — with file/line for a KxError — and exit code 1), and a
// main/post switch so one bundle serves both steps. No domain logic lives here.
import * as core from '@actions/core';
import { isAbsolute, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { KxAggregateError, KxError, errorMessage } from '@kaapana-ext/core';
import { redactUrls, secretsInInput } from '@kaapana-ext/core/secrets';

/** Exit code of a failed step (the runner's and the CLI's "a step failed"). */
export const EXIT_FAILURE = 1;

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
  if (!(choices as readonly string[]).includes(raw)) throw new KxError(`input ${name} must be one of ${choices.join(', ')}, not "${raw}"`);
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

/**
 * Mask (`::add-mask::`) every secret the step's inputs carry: secret-named inputs (password, token,
 * kubeconfig, ...) as a whole, and the userinfo of any URL in any input (`oci://user:pw@host`).
 * Called before anything else runs, so that no later line can show them.
 */
export function maskInputSecrets(env: NodeJS.ProcessEnv = process.env): void {
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith('INPUT_') || !v) continue;
    for (const s of secretsInInput(k.slice('INPUT_'.length).toLowerCase(), v)) core.setSecret(s);
  }
}

/**
 * Report a failure: exactly one error annotation per failure (per file/line for the KxErrors of an
 * aggregate), never a second plain `::error::` line as `core.setFailed` would add; exit code 1.
 * Anything that is not a KxError is a bug: its stack goes to the debug log.
 */
export function reportFailure(e: unknown): void {
  const errors = e instanceof KxAggregateError ? e.errors : e instanceof KxError ? [e] : [];
  for (const err of errors) {
    const props: core.AnnotationProperties = { title: 'kaapana-ext' };
    if (err.file) props.file = annotationPath(err.file);
    if (err.line) props.startLine = err.line;
    core.error(err.message, props);
  }
  if (errors.length === 0) {
    if (e instanceof Error && e.stack) core.debug(redactUrls(e.stack));
    core.error(errorMessage(e), { title: 'kaapana-ext' });
  }
  process.exitCode = EXIT_FAILURE;
}

/**
 * GitHub places annotations by paths relative to the workspace: make absolute paths inside
 * GITHUB_WORKSPACE relative; leave others as they are.
 */
export function annotationPath(file: string, workspace = process.env.GITHUB_WORKSPACE): string {
  if (!workspace || !isAbsolute(file)) return file;
  const rel = relative(workspace, file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel.split('\\').join('/');
}

const POST_STATE = 'kx-is-post';

/** One bundle, two steps: runs `main` the first time and `post` when the runner calls it again. */
export async function runMainOrPost(main: () => Promise<void>, post?: () => Promise<void>): Promise<void> {
  maskInputSecrets();
  const isPost = core.getState(POST_STATE) === 'true';
  if (!isPost) core.saveState(POST_STATE, 'true');
  try {
    if (isPost) await post?.();
    else await main();
  } catch (e) {
    reportFailure(e);
  }
}

/** Markdown-safe table cell. */
export function cell(text: string | number | undefined): string {
  return String(text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Append markdown to the job summary; a no-op outside a runner (no GITHUB_STEP_SUMMARY). */
export async function writeJobSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.debug('no GITHUB_STEP_SUMMARY: job summary not written');
    return;
  }
  await core.summary.addRaw(markdown).write();
}
export * from './registry-login.js';
export * from './exec.js';

// Command-line options derived from action.yml inputs (the one source of truth). One parser serves
// a single action and `publish`, in phases: split each argument, apply CLI switches, resolve
// `--[<step>.][no-]<input>[-stdin]` against the steps' inputs, read the value. Which steps an
// option reaches is routing.ts; the final inputs of a step (given > env > default) are
// effectiveInputs here. Repeating an option joins the values with newlines (multi-line inputs
// such as base-images). Secrets can come from stdin (`--<input>-stdin`) or the
// environment (`KAAPANA_EXT_<INPUT>`), so they never appear on a command line.
import { KxError } from '@kaapana-ext/core';
import type { ActionInput, ActionMetadata } from './action-metadata.js';

export interface OptionTarget {
  /** Step / command name, e.g. `package-chart`. */
  step: string;
  meta: ActionMetadata;
}

/** CLI switches that are not action inputs. */
export interface CliFlags {
  help: boolean;
  json: boolean;
  verbose: boolean;
  summaryFile?: string;
  /** Switches declared by the caller (e.g. publish's `--restart`), name → value. */
  extra: Record<string, string>;
}

/** One option of the command line: `--<scope>.<name>` or `--<name>`, value as given. */
export interface GivenOption {
  scope?: string;
  name: string;
  value: string;
}

export interface ParsedOptions {
  /** In command-line order; routing.ts decides which steps each reaches. */
  options: GivenOption[];
  flags: CliFlags;
}

export interface ExtraSwitch {
  name: string;
  description: string;
  /** Boolean switch (no value) or takes a value. */
  boolean: boolean;
}

const GLOBAL_SWITCHES: ExtraSwitch[] = [
  { name: 'help', description: 'show this help', boolean: true },
  { name: 'json', description: 'print the outputs as one JSON object on stdout (logs go to stderr)', boolean: true },
  { name: 'verbose', description: 'also show debug lines of the action', boolean: true },
  { name: 'summary-file', description: 'also write the job summary (markdown) to this file', boolean: false },
];

export function globalSwitches(): readonly ExtraSwitch[] {
  return GLOBAL_SWITCHES;
}

export function isBooleanInput(input: ActionInput): boolean {
  return input.default === 'true' || input.default === 'false';
}

export function envNameFor(input: string): string {
  return `KAAPANA_EXT_${input.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export interface ParseContext {
  targets: OptionTarget[];
  extraSwitches?: ExtraSwitch[];
  /** Reads all of stdin (for `--<input>-stdin`). */
  readStdin: () => Promise<string>;
}

interface ArgState {
  argv: string[];
  /** Index of the argument being read. */
  i: number;
  stdinUsed: boolean;
}

/** `--key=value` → key and inline value. */
function splitArg(arg: string): { key: string; inline?: string } {
  if (!arg.startsWith('--') || arg === '--') {
    throw new KxError(`unexpected argument "${arg}": options are --<input> <value> (see --help)`);
  }
  const key = arg.slice(2);
  const eq = key.indexOf('=');
  return eq >= 0 ? { key: key.slice(0, eq), inline: key.slice(eq + 1) } : { key };
}

function nextValue(st: ArgState, key: string, inline: string | undefined): string {
  if (inline !== undefined) return inline;
  const v = st.argv[st.i + 1];
  if (v === undefined) throw new KxError(`option --${key} needs a value`);
  st.i++;
  return v;
}

function applySwitch(flags: CliFlags, sw: ExtraSwitch, inline: string | undefined, st: ArgState): void {
  const value = sw.boolean ? (inline ?? 'true') : nextValue(st, sw.name, inline);
  if (sw.name === 'help') flags.help = value !== 'false';
  else if (sw.name === 'json') flags.json = value !== 'false';
  else if (sw.name === 'verbose') flags.verbose = value !== 'false';
  else if (sw.name === 'summary-file') flags.summaryFile = value;
  else flags.extra[sw.name] = value;
}

interface ResolvedName {
  scope?: string;
  name: string;
  negate: boolean;
  fromStdin: boolean;
  /** The declarations of `name` (in `scope` when given). */
  inputs: ActionInput[];
}

/** `--[<step>.][no-]<input>[-stdin]` → which input, in which steps. */
function resolveName(key: string, targets: OptionTarget[], hints: string[]): ResolvedName {
  let steps = targets;
  let name = key;
  let scope: string | undefined;
  const dot = key.indexOf('.');
  if (dot > 0) {
    scope = key.slice(0, dot);
    steps = targets.filter((t) => t.step === scope);
    if (steps.length === 0)
      throw new KxError(`unknown step "${scope}" in --${key}; steps: ${targets.map((t) => t.step).join(', ')}`);
    name = key.slice(dot + 1);
  }
  const declared = (n: string) => steps.flatMap((t) => t.meta.inputs.filter((x) => x.name === n));
  const forms: [string, boolean, boolean][] = [
    [name, false, false],
    [name.slice(3), true, false],
    [name.slice(0, -6), false, true],
  ];
  for (const [n, negate, fromStdin] of forms) {
    if ((negate && !name.startsWith('no-')) || (fromStdin && !name.endsWith('-stdin'))) continue;
    const inputs = declared(n);
    if (inputs.length > 0) return { ...(scope ? { scope } : {}), name: n, negate, fromStdin, inputs };
  }
  const hint = closest(name, hints);
  throw new KxError(`unknown option --${key}${hint ? ` (did you mean --${hint}?)` : ''}; see --help`);
}

/**
 * The value of an option: `--no-x` is false; boolean inputs take an optional true/false; an input
 * that is boolean in one step and not in another (publish's push) takes the next argument unless it
 * is an option.
 */
async function readValue(
  r: ResolvedName,
  inline: string | undefined,
  st: ArgState,
  readStdin: () => Promise<string>,
): Promise<string> {
  if (r.negate) return 'false';
  if (r.fromStdin) {
    if (st.stdinUsed) throw new KxError('only one option can be read from stdin');
    st.stdinUsed = true;
    return (await readStdin()).replace(/\r?\n$/, '');
  }
  if (inline !== undefined) return inline;
  const booleans = r.inputs.filter(isBooleanInput).length;
  if (booleans === 0) return nextValue(st, r.name, inline);
  const v = st.argv[st.i + 1];
  const takesNext =
    booleans === r.inputs.length ? v === 'true' || v === 'false' : v !== undefined && !v.startsWith('--');
  if (!takesNext) return 'true';
  st.i++;
  return v!;
}

/** Phase 1 of every command: the command line as switches and options (not yet routed to steps). */
export async function parseOptions(argv: string[], ctx: ParseContext): Promise<ParsedOptions> {
  const switches = [...GLOBAL_SWITCHES, ...(ctx.extraSwitches ?? [])];
  const flags: CliFlags = { help: false, json: false, verbose: false, extra: {} };
  const allNames = new Set(ctx.targets.flatMap((t) => t.meta.inputs.map((i) => i.name)));
  const hints = [...allNames, ...switches.map((s) => s.name)];
  const options: GivenOption[] = [];
  const st: ArgState = { argv, i: 0, stdinUsed: false };
  for (; st.i < argv.length; st.i++) {
    const arg = argv[st.i]!;
    if (arg === '-h') {
      flags.help = true;
      continue;
    }
    const { key, inline } = splitArg(arg);
    const sw = switches.find((s) => s.name === key);
    if (sw && !allNames.has(key)) {
      applySwitch(flags, sw, inline, st);
      continue;
    }
    const r = resolveName(key, ctx.targets, hints);
    const value = await readValue(r, inline, st, ctx.readStdin);
    options.push({ ...(r.scope ? { scope: r.scope } : {}), name: r.name, value });
  }
  return { options, flags };
}

export interface DefaultContext {
  cwd: string;
  runnerTemp: string;
  env: NodeJS.ProcessEnv;
}

/** The runner evaluates `${{ }}` in defaults; the CLI knows the few that make sense locally. */
export function resolveDefault(raw: string, ctx: DefaultContext): string {
  return raw.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expr: string) => {
    switch (expr) {
      case 'github.token':
        return ctx.env.GITHUB_TOKEN ?? '';
      case 'github.workspace':
        return ctx.cwd;
      case 'runner.temp':
        return ctx.runnerTemp;
      case 'github.repository':
        return ctx.env.GITHUB_REPOSITORY ?? '';
      case 'github.sha':
        return ctx.env.GITHUB_SHA ?? '';
      default:
        return '';
    }
  });
}

/** Final input values of one step: given > KAAPANA_EXT_<NAME> env > action.yml default. */
export function effectiveInputs(
  meta: ActionMetadata,
  given: Map<string, string> | undefined,
  ctx: DefaultContext,
): Record<string, string> {
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const input of meta.inputs) {
    const v =
      given?.get(input.name) ??
      ctx.env[envNameFor(input.name)] ??
      (input.default !== undefined ? resolveDefault(input.default, ctx) : undefined);
    if (v !== undefined) out[input.name] = v;
    if (input.required && (v === undefined || v === '')) missing.push(input.name);
  }
  if (missing.length > 0) {
    throw new KxError(
      `missing required option${missing.length > 1 ? 's' : ''} for ${meta.name}: ${missing.map((m) => `--${m}`).join(', ')}`,
      { file: meta.file },
    );
  }
  return out;
}

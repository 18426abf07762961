// Command-line options derived from action.yml inputs (the one source of truth). One parser serves
// a single action and `publish`: an option `--<input>` goes to every step that declares that
// input, `--<step>.<input>` to one step only. Repeating an option joins the values with newlines
// (multi-line inputs such as base-images). Secrets can come from stdin (`--<input>-stdin`) or the
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

export interface ParsedOptions {
  /** step → input name → value exactly as given (defaults not applied yet). */
  given: Map<string, Map<string, string>>;
  flags: CliFlags;
  /** Unscoped options that reached more than one step (publish prints them). */
  shared: { input: string; steps: string[] }[];
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

export async function parseOptions(argv: string[], ctx: ParseContext): Promise<ParsedOptions> {
  const switches = [...GLOBAL_SWITCHES, ...(ctx.extraSwitches ?? [])];
  const flags: CliFlags = { help: false, json: false, verbose: false, extra: {} };
  const given = new Map<string, Map<string, string>>(ctx.targets.map((t) => [t.step, new Map()]));
  const allNames = new Set<string>();
  for (const t of ctx.targets) for (const i of t.meta.inputs) allNames.add(i.name);
  let stdinUsed = false;
  const shared: { input: string; steps: string[] }[] = [];

  const put = (step: string, name: string, value: string) => {
    const m = given.get(step)!;
    const prev = m.get(name);
    m.set(name, prev === undefined ? value : `${prev}\n${value}`);
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      flags.help = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      throw new KxError(`unexpected argument "${arg}": options are --<input> <value> (see --help)`);
    }
    let key = arg.slice(2);
    let inline: string | undefined;
    const eq = key.indexOf('=');
    if (eq >= 0) {
      inline = key.slice(eq + 1);
      key = key.slice(0, eq);
    }
    const next = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined) throw new KxError(`option --${key} needs a value`);
      i++;
      return v;
    };

    const sw = switches.find((s) => s.name === key);
    if (sw && !allNames.has(key)) {
      const value = sw.boolean ? (inline ?? 'true') : next();
      if (key === 'help') flags.help = value !== 'false';
      else if (key === 'json') flags.json = value !== 'false';
      else if (key === 'verbose') flags.verbose = value !== 'false';
      else if (key === 'summary-file') flags.summaryFile = value;
      else flags.extra[key] = value;
      continue;
    }

    // --<step>.<input>
    let steps = ctx.targets;
    let name = key;
    const dot = key.indexOf('.');
    if (dot > 0) {
      const step = key.slice(0, dot);
      steps = ctx.targets.filter((t) => t.step === step);
      if (steps.length === 0) {
        throw new KxError(`unknown step "${step}" in --${key}; steps: ${ctx.targets.map((t) => t.step).join(', ')}`);
      }
      name = key.slice(dot + 1);
    }
    let negate = false;
    let fromStdin = false;
    const declares = (n: string) => steps.filter((t) => t.meta.inputs.some((x) => x.name === n));
    let owners = declares(name);
    if (owners.length === 0 && name.startsWith('no-') && declares(name.slice(3)).length > 0) {
      negate = true;
      name = name.slice(3);
      owners = declares(name);
    }
    if (owners.length === 0 && name.endsWith('-stdin') && declares(name.slice(0, -6)).length > 0) {
      fromStdin = true;
      name = name.slice(0, -6);
      owners = declares(name);
    }
    if (owners.length === 0) {
      const hint = closest(name, [...allNames, ...switches.map((s) => s.name)]);
      throw new KxError(`unknown option --${key}${hint ? ` (did you mean --${hint}?)` : ''}; see --help`);
    }
    const input = owners[0]!.meta.inputs.find((x) => x.name === name)!;
    let value: string;
    if (negate) {
      value = 'false';
    } else if (fromStdin) {
      if (stdinUsed) throw new KxError('only one option can be read from stdin');
      stdinUsed = true;
      value = (await ctx.readStdin()).replace(/\r?\n$/, '');
    } else if (isBooleanInput(input) && inline === undefined) {
      const v = argv[i + 1];
      if (v === 'true' || v === 'false') {
        value = v;
        i++;
      } else {
        value = 'true';
      }
    } else {
      value = next();
    }
    for (const t of owners) put(t.step, name, value);
    if (dot < 0 && owners.length > 1 && !shared.some((x) => x.input === name)) {
      shared.push({ input: name, steps: owners.map((t) => t.step) });
    }
  }
  return { given, flags, shared };
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
    const v = given?.get(input.name) ?? ctx.env[envNameFor(input.name)] ?? (input.default !== undefined ? resolveDefault(input.default, ctx) : undefined);
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

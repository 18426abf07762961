// What the CLI prints after a step. Text mode: a few lines per step — each output in one line (a
// multi-line text such as a diff as its line count), or
// for a JSON list (images, packages, delivered charts) one line per item with its name, version or
// reference, status and path (at most MAX_ITEMS); the full outputs only with --json, the job summary
// with --summary-file. --json: one JSON object with everything, outputs parsed where they are JSON.
import type { ActionRun } from './run-action.js';

const MAX_ITEMS = 8;
const MAX_WIDTH = 160;

function parsed(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function clip(s: string): string {
  const one = s.replace(/\s*\n\s*/g, ' ');
  return one.length > MAX_WIDTH ? `${one.slice(0, MAX_WIDTH - 1)}…` : one;
}

/** One line for an item of a JSON list output. */
function itemLine(item: unknown): string {
  if (item === null || typeof item !== 'object') return String(item);
  const o = item as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined);
  const what = str('ref') ?? [str('name') ?? str('image') ?? str('file'), str('version')].filter(Boolean).join(' ');
  const status = str('status') ?? str('pushed') ?? (o.dryRun === true ? 'dry run' : undefined);
  const where = str('path') ?? str('to');
  return [what || JSON.stringify(o), status && `(${status})`, where && `→ ${where}`].filter(Boolean).join(' ');
}

function outputLines(name: string, raw: string): string[] {
  const v = parsed(raw);
  const list = Array.isArray(v)
    ? v
    : v && typeof v === 'object' && Array.isArray((v as { images?: unknown }).images)
      ? (v as { images: unknown[] }).images
      : undefined;
  if (list) {
    if (list.length === 0) return [];
    const shown = list.slice(0, MAX_ITEMS).map((i) => `    ${clip(itemLine(i))}`);
    const more = list.length > MAX_ITEMS ? [`    … ${list.length - MAX_ITEMS} more (--json)`] : [];
    return [`  ${name}: ${list.length}`, ...shown, ...more];
  }
  if (v && typeof v === 'object') return [`  ${name}: {${Object.keys(v).join(', ')}} (--json)`];
  if (raw.includes('\n')) return [`  ${name}: ${raw.trimEnd().split('\n').length} lines (--json)`];
  return raw === '' ? [] : [`  ${name}: ${clip(raw)}`];
}

/** Text mode: the outputs of one step in a few lines. */
export function renderRun(run: ActionRun): string {
  const lines = Object.entries(run.outputs).flatMap(([n, v]) => outputLines(n, v));
  if (lines.length === 0) return '';
  return ['', `${run.step}:`, ...lines, ''].join('\n');
}

/** `--json`: outputs parsed where they are JSON. */
export function runToJson(run: ActionRun): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(run.outputs)) outputs[k] = parsed(v);
  return {
    step: run.step,
    ok: run.ok,
    exitCode: run.exitCode,
    durationMs: run.durationMs,
    outputs,
    annotations: run.annotations,
  };
}

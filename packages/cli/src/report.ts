// What the CLI prints after a step: its outputs (JSON values pretty-printed) and the job summary
// as plain text, or one JSON object with everything when --json is set.
import type { ActionRun } from './run-action.js';
import { summaryToText } from './summary-text.js';

function prettyValue(v: string): string {
  const t = v.trim();
  if ((t.startsWith('{') || t.startsWith('[')) && t.length > 2) {
    try {
      return JSON.stringify(JSON.parse(t), null, 2);
    } catch {
      /* not JSON: print as is */
    }
  }
  return v;
}

export function renderRun(run: ActionRun): string {
  const lines: string[] = [];
  const names = Object.keys(run.outputs);
  if (names.length > 0) {
    lines.push('', `Outputs of ${run.step}:`);
    for (const n of names) {
      const v = prettyValue(run.outputs[n]!);
      lines.push(v.includes('\n') ? `  ${n}:\n${v.replace(/^/gm, '    ')}` : `  ${n}: ${v}`);
    }
  }
  const summary = summaryToText(run.summary);
  if (summary) lines.push('', `Summary of ${run.step}:`, summary.replace(/^/gm, '  '));
  return lines.join('\n') + '\n';
}

/** `--json`: outputs parsed where they are JSON. */
export function runToJson(run: ActionRun): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(run.outputs)) {
    try {
      outputs[k] = JSON.parse(v);
    } catch {
      outputs[k] = v;
    }
  }
  return {
    step: run.step,
    ok: run.ok,
    exitCode: run.exitCode,
    durationMs: run.durationMs,
    outputs,
    annotations: run.annotations,
  };
}

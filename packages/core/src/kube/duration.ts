// Parsing of the `timeout` input: `300` (seconds), `90s`, `5m`, `1h`, `1m30s`. Returns milliseconds.
import { KxError } from '../errors/index.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string, inputName = 'timeout'): number {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (!t || matched !== t.length) {
    throw new KxError(`${inputName} must be a duration like 300, 90s, 5m or 1m30s, got "${text}"`);
  }
  if (total <= 0) throw new KxError(`${inputName} must be greater than zero, got "${text}"`);
  return Math.round(total);
}

/** kubectl's `--timeout` spelling of a duration: whole seconds, at least 1. */
export function kubectlDuration(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

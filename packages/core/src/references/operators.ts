// Operator and DAG files for the reference lint: `*.py` whose name contains "operator" (as Kaapana's
// helm_chart.py `collect_operator_containers` picks them) or starts with "dag"; every `image=` string,
// resolved with Kaapana's variables where Kaapana resolves them: `DEFAULT_REGISTRY` /
// `default_registry` → the registry this run pushes to (the platform's default registry),
// `KAAPANA_BUILD_VERSION` (0.6.0 kaapana_global_variables.py: the platform's build version) and
// `default_platform_version` → platform-version (else the run's version), `default_platform_abbr` →
// platform-abbr; other `{name}`s from single string assignments in the same file (python.ts).
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Collected, type LintSettings } from './model.js';
import { imageArguments, resolvePy, stringAssignments } from './python.js';

/** Kaapana's variables as this run knows them; undefined = not known. */
export function kaapanaVariables(s: LintSettings): Record<string, string | undefined> {
  return {
    DEFAULT_REGISTRY: s.registry,
    default_registry: s.registry,
    KAAPANA_BUILD_VERSION: s.platformVersion || s.buildVersion,
    default_platform_version: s.platformVersion,
    default_platform_abbr: s.platformVersion ? (s.abbr ?? 'kp') : undefined,
  };
}

export function isOperatorOrDag(file: string): boolean {
  const name = basename(file);
  return name.endsWith('.py') && (/operator/i.test(name) || name.startsWith('dag'));
}

/** The `image=` references of one operator or DAG file. */
export async function operatorReferences(
  file: string,
  known: Record<string, string | undefined>,
  rel: (f: string) => string,
): Promise<Collected> {
  const out: Collected = { wants: [], findings: [] };
  const text = await readFile(file, 'utf8');
  const assigned = stringAssignments(text);
  const where = (line: number) => ({ file: rel(file), line });
  for (const arg of imageArguments(text)) {
    if (!arg.value) {
      const message = `image=${arg.written} is not a string: not checked`;
      out.findings.push({ level: 'warning', message, ...where(arg.line) });
      continue;
    }
    const r = resolvePy(arg.value, known, assigned);
    if (!r.ok) {
      const names = r.unresolved.map((n) => `{${n}}`).join(', ');
      const message = `image=${arg.written}: ${names} cannot be resolved statically (set platform-version for Kaapana's variables): not checked`;
      out.findings.push({ level: 'warning', message, ...where(arg.line) });
      continue;
    }
    out.wants.push({ ref: r.value, ...where(arg.line), what: `operator image ${arg.written}` });
  }
  return out;
}

// Chart metadata validation as helm's `Metadata.Validate` does it, in the same order and with the same
// wording (prefixed "validation: "), including its side effect of sanitising strings (whitespace → ' ',
// unprintable characters removed). Errors are KxErrors naming Chart.yaml and the offending line.
import { KxError } from '../errors/index.js';
import type { LineIndex } from './chartfile.js';
import type { Dependency, Metadata } from './model.js';
import { isChartSemver, parseChartVersion } from './semver.js';

const SPACE = /[\t\n\v\f\r \u0085\u00a0\p{Zs}\p{Zl}\p{Zp}]/u;
const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u;
const ALIAS = /^[a-zA-Z0-9_-]+$/;

/** Go `strings.Map` with helm's sanitizeString rule. */
export function sanitizeString(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  let out = '';
  for (const ch of s) {
    if (SPACE.test(ch)) out += ' ';
    else if (PRINTABLE.test(ch)) out += ch;
  }
  return out;
}

export interface ValidationContext {
  /** Path of the Chart.yaml (or the chart) the metadata came from. */
  file?: string;
  lines?: LineIndex;
}

function fail(msg: string, ctx: ValidationContext, key?: string): never {
  throw new KxError(`validation: ${msg}`, { file: ctx.file, line: key ? ctx.lines?.get(key) : undefined });
}

function sanitizeDependency(d: Dependency): void {
  d.name = sanitizeString(d.name) ?? '';
  if (d.version !== undefined) d.version = sanitizeString(d.version);
  d.repository = sanitizeString(d.repository) ?? '';
  if (d.condition !== undefined) d.condition = sanitizeString(d.condition);
  if (d.tags) d.tags = d.tags.map((t) => sanitizeString(t) ?? '');
}

/** Validate (and sanitise in place) chart metadata. Throws KxError("validation: ..."). */
export function validateMetadata(md: Metadata, ctx: ValidationContext = {}): void {
  for (const k of ['name', 'description', 'home', 'icon', 'condition', 'tags', 'appVersion', 'kubeVersion'] as const) {
    if (md[k] !== undefined) md[k] = sanitizeString(md[k]);
  }
  if (md.sources) md.sources = md.sources.map((s) => sanitizeString(s) ?? '');
  if (md.keywords) md.keywords = md.keywords.map((s) => sanitizeString(s) ?? '');

  if (!md.apiVersion) fail('chart.metadata.apiVersion is required', ctx, 'apiVersion');
  if (!md.name) fail('chart.metadata.name is required', ctx, 'name');
  if (md.name === '.' || md.name === '..')
    fail(`chart.metadata.name ${JSON.stringify(md.name)} is not allowed`, ctx, 'name');
  // helm: name != filepath.Base(name) is invalid; `\\` counts as a separator as on Windows runners.
  if (md.name.includes('/') || md.name.includes('\\'))
    fail(`chart.metadata.name ${JSON.stringify(md.name)} is invalid`, ctx, 'name');
  if (!md.version) fail('chart.metadata.version is required', ctx, 'version');
  if (!isChartSemver(parseChartVersion(md.version)))
    fail(`chart.metadata.version ${JSON.stringify(md.version)} is invalid`, ctx, 'version');
  if (md.type !== undefined && md.type !== '' && md.type !== 'application' && md.type !== 'library') {
    fail('chart.metadata.type must be application or library', ctx, 'type');
  }
  (md.maintainers ?? []).forEach((m, i) => {
    if (m === null) fail('maintainers must not contain empty or null nodes', ctx, 'maintainers');
    for (const k of ['name', 'email', 'url'] as const) if (m[k] !== undefined) m[k] = sanitizeString(m[k]);
    void i;
  });
  const seen = new Set<string>();
  (md.dependencies ?? []).forEach((d, i) => {
    if (d === null) fail('dependencies must not contain empty or null nodes', ctx, `dependencies[${i}]`);
    sanitizeDependency(d);
    if (d.alias && !ALIAS.test(d.alias)) {
      fail(
        `dependency ${JSON.stringify(d.name)} has disallowed characters in the alias`,
        ctx,
        `dependencies[${i}].alias`,
      );
    }
    const key = d.alias || d.name;
    if (seen.has(key))
      fail(`more than one dependency with name or alias ${JSON.stringify(key)}`, ctx, `dependencies[${i}]`);
    seen.add(key);
  });
}

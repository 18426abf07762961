// The reference lint: before anything is built or pushed, every image an extension will make the
// platform pull must be one this run builds with exactly that tag, or one the registry already has —
// otherwise the platform meets ErrImagePull/ImagePullBackOff. Two entry points, one set of phases:
// - `lintReferences` (build-images' plan): below the context, the operator and DAG files
//   (operators.ts), the workflow charts (charts.ts) and the DAG images' copied modules
//   (dag-modules.ts), checked against the plan (check.ts);
// - `lintChartReferences` (package-chart): one chart directory's values, checked against the images
//   build-images planned (its `plan` output, parsed by `parseBuiltImages`) and the registry.
// Errors: a reference that resolves to an image this run builds with another tag, or to one neither
// built nor in the registry; a workflow chart without dag-installer-chart or without global.image; a
// DAG module not copied. Warnings: an `image=` that is not a string or cannot be resolved statically;
// a registry that could not be asked; a DAG image whose tag or registry is unknown.
// `referenceLintOutcome` turns findings into the warnings to annotate and the error to fail with.
import { join, relative, resolve } from 'node:path';
import { CHART_WALK_SKIP } from '../chart/discover.js';
import { KxAggregateError, KxError } from '../errors/index.js';
import { listFiles } from '../fsutil/index.js';
import { type BuildPlan } from '../images/index.js';
import { chartReferences, readChartInfo, workflowCharts } from './charts.js';
import { checkWants } from './check.js';
import { dagModuleFindings } from './dag-modules.js';
import {
  type BuiltImage,
  type Collected,
  type ExistsLookup,
  type LintSettings,
  type ReferenceFinding,
} from './model.js';
import { isOperatorOrDag, kaapanaVariables, operatorReferences } from './operators.js';

export type { BuiltImage, ExistsLookup, LintSettings, ReferenceFinding } from './model.js';

export interface ReferenceLintOptions extends LintSettings {
  context: string;
  plan: BuildPlan;
  registry: string;
  exists?: ExistsLookup;
}

export interface ChartReferenceLintOptions extends LintSettings {
  /** The chart directory (with Chart.yaml). */
  chartDir: string;
  /** The images this run builds (build-images' plan); [] = none known. */
  images: BuiltImage[];
  exists?: ExistsLookup;
}

/** Every file below `dir` by fsutil/walk's rules, minus the folders a chart search skips; [] when unreadable. */
async function walk(dir: string): Promise<string[]> {
  return listFiles(dir, { skipDirs: CHART_WALK_SKIP }).catch(() => []);
}

const rel = (f: string) => relative(process.cwd(), f) || f;

function merge(into: Collected, more: Collected): void {
  into.wants.push(...more.wants);
  into.findings.push(...more.findings);
}

const errorsFirst = (a: ReferenceFinding, b: ReferenceFinding) =>
  a.level === b.level ? 0 : a.level === 'error' ? -1 : 1;

/** Names of the DAG images (`global.image`) of the workflow charts below `context`. */
export async function dagImagesOf(context: string): Promise<Set<string>> {
  const charts = await workflowCharts(await walk(resolve(context)));
  return new Set(charts.map((w) => w.dagImage).filter((x): x is string => !!x));
}

/** Lint the extension below `context` against the plan. Findings are sorted errors first. */
export async function lintReferences(opts: ReferenceLintOptions): Promise<ReferenceFinding[]> {
  const files = await walk(resolve(opts.context));
  const collected: Collected = { wants: [], findings: [] };
  const known = kaapanaVariables(opts);
  for (const f of files.filter(isOperatorOrDag)) merge(collected, await operatorReferences(f, known, rel));
  for (const c of await workflowCharts(files)) merge(collected, chartReferences(c, opts, rel));
  const findings = [...collected.findings, ...(await checkWants(collected.wants, opts.plan.images, opts.exists))];
  for (const img of opts.plan.images.filter((i) => i.origin === 'context'))
    findings.push(...(await dagModuleFindings(img, files, rel)));
  return findings.sort(errorsFirst);
}

/**
 * Lint one chart's values (package-chart) against the images the run builds and the registry.
 * Findings name absolute files (the adapter makes them workspace-relative).
 */
export async function lintChartReferences(opts: ChartReferenceLintOptions): Promise<ReferenceFinding[]> {
  const chart = await readChartInfo(join(resolve(opts.chartDir), 'Chart.yaml'));
  const { wants, findings } = chartReferences(chart, opts, (f) => f);
  findings.push(...(await checkWants(wants, opts.images, opts.exists)));
  return findings.sort(errorsFirst);
}

/** What build-images' plan output (or its images output) says about the run, for package-chart. */
export interface BuiltImages {
  images: BuiltImage[];
  /** The settings the plan was made with (plan output only). */
  settings: Partial<LintSettings>;
}

function isBuiltImage(x: unknown): x is BuiltImage {
  const i = x as Partial<BuiltImage> | null;
  return !!i && typeof i.name === 'string' && typeof i.ref === 'string' && typeof i.tag === 'string';
}

/** Parses build-images' `plan` output (`{images, settings}`) or `images` output (an array). */
export function parseBuiltImages(text: string, source = 'images'): BuiltImages {
  if (text.trim() === '') return { images: [], settings: {} };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new KxError(`${source}: not JSON (build-images' plan or images output): ${(e as Error).message}`);
  }
  const obj = (Array.isArray(v) ? { images: v } : v) as { images?: unknown; settings?: unknown } | null;
  const images = obj?.images;
  if (!Array.isArray(images) || !images.every(isBuiltImage))
    throw new KxError(
      `${source}: expected build-images' plan output ({images: [{name, ref, tag, …}]}) or images output`,
    );
  const settings = obj?.settings && typeof obj.settings === 'object' ? (obj.settings as Partial<LintSettings>) : {};
  return { images, settings };
}

/** The findings to annotate as warnings, and the error to fail with (mode `error` only). */
export function referenceLintOutcome(
  findings: ReferenceFinding[],
  mode: 'error' | 'warn' | 'off',
): { warnings: ReferenceFinding[]; error?: KxError } {
  if (mode === 'off') return { warnings: [] };
  const failing = mode === 'error' ? findings.filter((f) => f.level === 'error') : [];
  const warnings = findings.filter((f) => !failing.includes(f));
  const errors = failing.map((f) => new KxError(f.message, { file: f.file, ...(f.line ? { line: f.line } : {}) }));
  if (errors.length === 0) return { warnings };
  return { warnings, error: errors.length === 1 ? errors[0]! : new KxAggregateError(errors) };
}

/**
 * package-chart's settings: its own inputs where given (tag style and abbreviation always are), the
 * plan's registry, platform and build version where not; the chart version is package-chart's own.
 */
export function chartLintSettings(
  planned: Partial<LintSettings>,
  given: Pick<LintSettings, 'tagStyle' | 'abbr' | 'registry' | 'platformVersion' | 'chartVersion'>,
): LintSettings {
  const registry = given.registry || planned.registry;
  const platformVersion = given.platformVersion || planned.platformVersion;
  return {
    tagStyle: given.tagStyle,
    ...(given.abbr ? { abbr: given.abbr } : {}),
    ...(registry ? { registry } : {}),
    ...(platformVersion ? { platformVersion } : {}),
    ...(planned.buildVersion ? { buildVersion: planned.buildVersion } : {}),
    ...(given.chartVersion ? { chartVersion: given.chartVersion } : {}),
  };
}

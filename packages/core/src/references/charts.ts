// Kaapana charts as the reference lint reads them: Chart.yaml and its dependencies (Chart.yaml or the
// requirements.yaml both generations use), values.yaml with line numbers (yaml's LineCounter), and the
// image references a chart makes the platform pull.
// - Workflow charts (keyword `kaapanaworkflow`, or `dag-installer-chart` as first dependency, as
//   0.6.0 helm_chart.py `_resolve_kaapana_type`) must depend on `dag-installer-chart`; their DAG
//   image `global.image` (a global, so the value dag-installer-chart sees) is pulled at
//   `.Chart.Version` of dag-installer-chart (0.6.0 services/utils/dag-installer-chart/templates/job.yaml;
//   `0.0.0` = packaged with the workflow chart's version) or at
//   `<abbr>_<platform-version>__<global.version>` (0.1.x
//   services/utils/dag-installer/dag-installer-chart/templates/job.yaml).
// - Other `image:` / `complete_image:` values anywhere in values.yaml (the chart's own and those it
//   sets for its dependencies) that are full references (a `/` and a tag, no template) are checked
//   as they are, `{KAAPANA_BUILD_VERSION}` resolved.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { pathExists } from '../fsutil/index.js';
import { imageTag } from '../images/index.js';
import { type Collected, type LintSettings, type ReferenceFinding } from './model.js';

interface YamlFile {
  data: unknown;
  line: (path: (string | number)[]) => number | undefined;
}

async function readYaml(file: string): Promise<YamlFile | undefined> {
  if (!(await pathExists(file))) return undefined;
  const counter = new LineCounter();
  const doc = parseDocument(await readFile(file, 'utf8'), { lineCounter: counter, version: '1.1' });
  return {
    data: doc.toJS() as unknown,
    line: (path) => {
      const start = (doc.getIn(path, true) as YamlNode | undefined)?.range?.[0];
      return start === undefined ? undefined : counter.linePos(start).line;
    },
  };
}

/** `image:` scalars of a values tree, with their paths. */
function imageValues(
  node: unknown,
  path: (string | number)[] = [],
  out: { path: (string | number)[]; value: string }[] = [],
) {
  if (Array.isArray(node)) node.forEach((v, i) => imageValues(v, [...path, i], out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if ((k === 'image' || k === 'complete_image') && typeof v === 'string')
        out.push({ path: [...path, k], value: v });
      else imageValues(v, [...path, k], out);
    }
  }
  return out;
}

export interface ChartInfo {
  chartFile: string;
  dir: string;
  chart: YamlFile | undefined;
  name: string;
  version: string;
  deps: { name?: string; version?: string }[];
  keywords: unknown[];
  /** Keyword kaapanaworkflow or dag-installer-chart as first dependency. */
  workflow: boolean;
  /** Index of dag-installer-chart among the dependencies, -1 when absent. */
  dagDep: number;
  values: YamlFile | undefined;
  valuesFile: string;
  v: { global?: { image?: unknown; version?: unknown } };
  /** `global.image`: the DAG image of a workflow chart. */
  dagImage: string | undefined;
}

/** Reads the chart whose Chart.yaml is `chartFile`. */
export async function readChartInfo(chartFile: string): Promise<ChartInfo> {
  const dir = dirname(chartFile);
  const chart = await readYaml(chartFile);
  const md = (chart?.data ?? {}) as { name?: unknown; version?: unknown; keywords?: unknown; dependencies?: unknown };
  const req = await readYaml(join(dir, 'requirements.yaml'));
  const rawDeps = Array.isArray(md.dependencies)
    ? md.dependencies
    : (req?.data as { dependencies?: unknown } | undefined)?.dependencies;
  const deps = (Array.isArray(rawDeps) ? rawDeps : []) as { name?: string; version?: string }[];
  const keywords = Array.isArray(md.keywords) ? (md.keywords as unknown[]) : [];
  const valuesFile = join(dir, 'values.yaml');
  const values = await readYaml(valuesFile);
  const v = (values?.data ?? {}) as ChartInfo['v'];
  const image = v?.global?.image;
  return {
    chartFile,
    dir,
    chart,
    name: typeof md.name === 'string' ? md.name : dir,
    version: md.version === undefined || md.version === null ? '' : String(md.version),
    deps,
    keywords,
    workflow: keywords.includes('kaapanaworkflow') || deps[0]?.name === 'dag-installer-chart',
    dagDep: deps.findIndex((d) => d?.name === 'dag-installer-chart'),
    values,
    valuesFile,
    v: v ?? {},
    dagImage: typeof image === 'string' && image !== '' ? image : undefined,
  };
}

/** Workflow charts among `files`. */
export async function workflowCharts(files: string[]): Promise<ChartInfo[]> {
  const out: ChartInfo[] = [];
  for (const chartFile of files.filter((p) => basename(p) === 'Chart.yaml')) {
    const info = await readChartInfo(chartFile);
    if (info.workflow) out.push(info);
  }
  return out;
}

type Rel = (file: string) => string;

function missingDagInstaller(c: ChartInfo, rel: Rel): ReferenceFinding[] {
  if (c.dagDep >= 0) return [];
  const kw = c.keywords.indexOf('kaapanaworkflow');
  const line = kw >= 0 ? c.chart?.line(['keywords', kw]) : undefined;
  return [
    {
      level: 'error',
      message: `workflow chart ${c.name} (keyword kaapanaworkflow) has no dag-installer-chart dependency: nothing would install its DAG image`,
      file: rel(c.chartFile),
      ...(line ? { line } : {}),
    },
  ];
}

/** The tag dag-installer-chart pulls the DAG image with, and the rule that gives it. */
function dagImageTag(c: ChartInfo, s: LintSettings): { tag?: string; how: string } {
  const chartVersion = s.chartVersion || c.version;
  if (s.tagStyle === 'kp') {
    const g = c.v.global?.version;
    const version = g !== undefined && g !== null ? String(g) : chartVersion;
    return {
      ...(s.platformVersion
        ? { tag: imageTag({ style: 'kp', version, platformVersion: s.platformVersion, abbr: s.abbr ?? 'kp' }) }
        : {}),
      how: `<abbr>_<platform-version>__<global.version> (0.1.x dag-installer-chart)`,
    };
  }
  const depVersion = String(c.deps[c.dagDep]?.version ?? '0.0.0');
  if (depVersion !== '0.0.0') return { tag: depVersion, how: 'the dag-installer-chart version' };
  return {
    tag: chartVersion,
    how: `the chart version${s.chartVersion ? ' (chart-version)' : ''}, as dag-installer-chart 0.0.0 is packaged with it`,
  };
}

/** The DAG image `global.image` of a workflow chart, at the tag dag-installer-chart pulls. */
function dagImageWant(c: ChartInfo, s: LintSettings, rel: Rel): Collected {
  const file = rel(c.valuesFile);
  if (!c.dagImage) {
    const message = `workflow chart ${c.name}: values.yaml has no global.image (the DAG image dag-installer-chart pulls)`;
    return { wants: [], findings: [{ level: 'error', message, file }] };
  }
  if (c.dagDep < 0) return { wants: [], findings: [] };
  const { tag, how } = dagImageTag(c, s);
  const line = c.values?.line(['global', 'image']);
  const where = { file, ...(line ? { line } : {}) };
  if (!tag || !s.registry) {
    const missing = !tag ? 'set platform-version to check its 0.1.x tag' : 'set registry to check it';
    return { wants: [], findings: [{ level: 'warning', message: `DAG image ${c.dagImage}: ${missing}`, ...where }] };
  }
  const what = `DAG image global.image of ${c.name} (tag = ${how})`;
  return { wants: [{ ref: `${s.registry}/${c.dagImage}:${tag}`, ...where, what }], findings: [] };
}

/** Full image references among the values (not global.image of a workflow chart, not templates). */
function valueImageWants(c: ChartInfo, s: LintSettings, rel: Rel): Collected {
  const buildVersion = s.platformVersion || s.buildVersion;
  const out: Collected = { wants: [], findings: [] };
  for (const iv of imageValues(c.v)) {
    if (c.workflow && iv.path.join('.') === 'global.image') continue;
    const placeholder = iv.value.includes('{KAAPANA_BUILD_VERSION}');
    const value = buildVersion ? iv.value.replace(/\{KAAPANA_BUILD_VERSION\}/g, buildVersion) : iv.value;
    const line = c.values?.line(iv.path);
    const where = { file: rel(c.valuesFile), ...(line ? { line } : {}) };
    if (placeholder && !buildVersion) {
      const message = `values ${iv.path.join('.')} ${iv.value}: set platform-version to resolve {KAAPANA_BUILD_VERSION}: not checked`;
      out.findings.push({ level: 'warning', message, ...where });
      continue;
    }
    if (!value.includes('/') || !/:[\w][\w.-]*$/.test(value) || value.includes('{{')) continue;
    out.wants.push({ ref: value, ...where, what: `values ${iv.path.join('.')}` });
  }
  return out;
}

/** What a chart makes the platform pull, and its structural findings. */
export function chartReferences(c: ChartInfo, s: LintSettings, rel: Rel): Collected {
  const out: Collected = { wants: [], findings: [] };
  if (c.workflow) {
    out.findings.push(...missingDagInstaller(c, rel));
    const dag = dagImageWant(c, s, rel);
    out.wants.push(...dag.wants);
    out.findings.push(...dag.findings);
  }
  const values = valueImageWants(c, s, rel);
  out.wants.push(...values.wants);
  out.findings.push(...values.findings);
  return out;
}

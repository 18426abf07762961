// The reference lint: before anything is built or pushed, every image an extension will make the
// platform pull must be one this run builds with exactly that tag, or one the registry already has —
// otherwise the platform meets ErrImagePull/ImagePullBackOff. What it reads (all below the context):
// - operator and DAG files (`*.py` whose name contains "operator", as Kaapana's
//   helm_chart.py `collect_operator_containers` picks them, or starts with "dag"): every `image=`
//   string. Kaapana's variables are resolved where Kaapana resolves them: `DEFAULT_REGISTRY` /
//   `default_registry` → the registry this run pushes to (the platform's default registry),
//   `KAAPANA_BUILD_VERSION` (0.6.0 kaapana_global_variables.py: the platform's build version) and
//   `default_platform_version` → platform-version (else the run's version), `default_platform_abbr`
//   → platform-abbr; other `{name}`s from single string assignments in the same file.
// - workflow charts (keyword `kaapanaworkflow`, or `dag-installer-chart` as first dependency, as
//   0.6.0 helm_chart.py `_resolve_kaapana_type`): `dag-installer-chart` must be a dependency; the DAG
//   image `global.image` is pulled by dag-installer-chart at `.Chart.Version` of that chart
//   (0.6.0 services/utils/dag-installer-chart/templates/job.yaml; `0.0.0` = the workflow chart's
//   version) or at `<abbr>_<platform-version>__<global.version>` (0.1.x
//   services/utils/dag-installer/dag-installer-chart/templates/job.yaml); other `image:` values that
//   are full references (with a `/` and a tag) are checked as they are.
// - DAG images (Dockerfiles that COPY into `/tmp/dags/` or `/kaapana/tmp/dags/`): a DAG file that
//   imports a module of its own build context which the Dockerfile does not copy into the dags dir.
// Errors: a reference that resolves to an image this run builds with another tag, or to one neither
// built nor in the registry; a workflow chart without dag-installer-chart; a DAG module not copied.
// Warnings: an `image=` that is not a string or cannot be resolved statically; a registry that could
// not be asked.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { CHART_WALK_SKIP } from '../chart/discover.js';
import { listFiles, pathExists } from '../fsutil/index.js';
import { imageTag, type BuildPlan, type TagStyle } from '../images/index.js';
import { imageArguments, pythonImports, resolvePy, stringAssignments } from './python.js';

export interface ReferenceFinding {
  level: 'error' | 'warning';
  message: string;
  file: string;
  line?: number;
}

export interface ReferenceLintOptions {
  context: string;
  plan: BuildPlan;
  /** The registry the run pushes to; stands for the platform's DEFAULT_REGISTRY. */
  registry: string;
  tagStyle: TagStyle;
  /** The platform's version: KAAPANA_BUILD_VERSION (0.6.0), default_platform_version (0.1.x). */
  platformVersion?: string;
  /** The run's default version, used for KAAPANA_BUILD_VERSION when platformVersion is empty. */
  buildVersion?: string;
  abbr?: string;
  /** Version the workflow charts are packaged with (package-chart's `version`); default Chart.yaml's. */
  chartVersion?: string;
  /** Asks the registry whether a reference exists; undefined = could not ask. */
  exists?: (ref: string) => Promise<boolean | undefined>;
}

/** Every file below `dir` by fsutil/walk's rules, minus the folders a chart search skips; nothing when `dir` cannot be read. */
async function walk(dir: string, out: string[]): Promise<void> {
  out.push(...(await listFiles(dir, { skipDirs: CHART_WALK_SKIP }).catch(() => [])));
}

interface Want {
  ref: string;
  file: string;
  line?: number;
  what: string;
}

function lineOf(node: YamlNode | null | undefined, counter: LineCounter): number | undefined {
  const start = node?.range?.[0];
  return start === undefined ? undefined : counter.linePos(start).line;
}

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
      const node = doc.getIn(path, true) as YamlNode | undefined;
      return lineOf(node, counter);
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

interface WorkflowChart {
  chartFile: string;
  dir: string;
  chart: YamlFile | undefined;
  md: { name?: string; version?: string };
  deps: { name?: string; version?: string }[];
  keywords: unknown[];
  /** Index of dag-installer-chart among the dependencies, -1 when absent. */
  dagDep: number;
  values: YamlFile | undefined;
  v: { global?: { image?: unknown; version?: unknown } };
  /** `global.image`: the DAG image. */
  dagImage: string | undefined;
}

/** Workflow charts among `files` (keyword kaapanaworkflow or dag-installer-chart as first dependency). */
async function workflowCharts(files: string[]): Promise<WorkflowChart[]> {
  const out: WorkflowChart[] = [];
  for (const chartFile of files.filter((p) => basename(p) === 'Chart.yaml')) {
    const dir = dirname(chartFile);
    const chart = await readYaml(chartFile);
    const md = (chart?.data ?? {}) as { name?: string; version?: string; keywords?: unknown; dependencies?: unknown };
    const req = await readYaml(join(dir, 'requirements.yaml'));
    const rawDeps = Array.isArray(md.dependencies)
      ? md.dependencies
      : (req?.data as { dependencies?: unknown } | undefined)?.dependencies;
    const deps = (Array.isArray(rawDeps) ? rawDeps : []) as { name?: string; version?: string }[];
    const keywords = Array.isArray(md.keywords) ? (md.keywords as unknown[]) : [];
    if (!keywords.includes('kaapanaworkflow') && deps[0]?.name !== 'dag-installer-chart') continue;
    const values = await readYaml(join(dir, 'values.yaml'));
    const v = (values?.data ?? {}) as WorkflowChart['v'];
    const dagImage = typeof v?.global?.image === 'string' && v.global.image !== '' ? v.global.image : undefined;
    out.push({
      chartFile,
      dir,
      chart,
      md,
      deps,
      keywords,
      dagDep: deps.findIndex((d) => d?.name === 'dag-installer-chart'),
      values,
      v: v ?? {},
      dagImage,
    });
  }
  return out;
}

/** Names of the DAG images (`global.image`) of the workflow charts below `context`. */
export async function dagImagesOf(context: string): Promise<Set<string>> {
  const files: string[] = [];
  await walk(resolve(context), files);
  return new Set((await workflowCharts(files)).map((w) => w.dagImage).filter((x): x is string => !!x));
}

const DAGS_RE = /^(?:\/kaapana)?\/tmp\/dags\/?/;

/** Lint the extension below `context` against the plan. Findings are sorted errors first. */
export async function lintReferences(opts: ReferenceLintOptions): Promise<ReferenceFinding[]> {
  const context = resolve(opts.context);
  const findings: ReferenceFinding[] = [];
  const rel = (f: string) => relative(process.cwd(), f) || f;
  const files: string[] = [];
  await walk(context, files);
  const wants: Want[] = [];
  const buildVersion = opts.platformVersion || opts.buildVersion;
  const known: Record<string, string | undefined> = {
    DEFAULT_REGISTRY: opts.registry,
    default_registry: opts.registry,
    KAAPANA_BUILD_VERSION: buildVersion,
    default_platform_version: opts.platformVersion,
    default_platform_abbr: opts.platformVersion ? (opts.abbr ?? 'kp') : undefined,
  };

  // Operators and DAG files.
  for (const f of files.filter(
    (p) => p.endsWith('.py') && (/operator/i.test(basename(p)) || basename(p).startsWith('dag')),
  )) {
    const text = await readFile(f, 'utf8');
    const assigned = stringAssignments(text);
    for (const arg of imageArguments(text)) {
      if (!arg.value) {
        findings.push({
          level: 'warning',
          message: `image=${arg.written} is not a string: not checked`,
          file: rel(f),
          line: arg.line,
        });
        continue;
      }
      const r = resolvePy(arg.value, known, assigned);
      if (!r.ok) {
        findings.push({
          level: 'warning',
          message: `image=${arg.written}: ${r.unresolved.map((n) => `{${n}}`).join(', ')} cannot be resolved statically (set platform-version for Kaapana's variables): not checked`,
          file: rel(f),
          line: arg.line,
        });
        continue;
      }
      wants.push({ ref: r.value, file: rel(f), line: arg.line, what: `operator image ${arg.written}` });
    }
  }

  // Workflow charts.
  for (const wc of await workflowCharts(files)) {
    const { chartFile, dir, chart, md, deps, keywords, dagDep, values, v, dagImage } = wc;
    if (dagDep < 0) {
      const kw = keywords.indexOf('kaapanaworkflow');
      findings.push({
        level: 'error',
        message: `workflow chart ${md.name ?? dir} (keyword kaapanaworkflow) has no dag-installer-chart dependency: nothing would install its DAG image`,
        file: rel(chartFile),
        ...(kw >= 0 && chart?.line(['keywords', kw]) ? { line: chart.line(['keywords', kw])! } : {}),
      });
    }
    const valuesFile = rel(join(dir, 'values.yaml'));
    if (!dagImage) {
      findings.push({
        level: 'error',
        message: `workflow chart ${md.name ?? dir}: values.yaml has no global.image (the DAG image dag-installer-chart pulls)`,
        file: valuesFile,
      });
    } else if (dagDep >= 0) {
      const chartVersion = opts.chartVersion || String(md.version ?? '');
      let tag: string | undefined;
      let how: string;
      if (opts.tagStyle === 'kp') {
        const gv =
          v.global?.version !== undefined && v.global.version !== null ? String(v.global.version) : chartVersion;
        tag = opts.platformVersion
          ? imageTag({ style: 'kp', version: gv, platformVersion: opts.platformVersion, abbr: opts.abbr ?? 'kp' })
          : undefined;
        how = `<abbr>_<platform-version>__<global.version> (0.1.x dag-installer-chart)`;
      } else {
        const depVersion = String(deps[dagDep]?.version ?? '0.0.0');
        tag = depVersion === '0.0.0' ? chartVersion : depVersion;
        how =
          depVersion === '0.0.0'
            ? `the chart version${opts.chartVersion ? ' (chart-version)' : ''}, as dag-installer-chart 0.0.0 is packaged with it`
            : 'the dag-installer-chart version';
      }
      if (tag)
        wants.push({
          ref: `${opts.registry}/${dagImage}:${tag}`,
          file: valuesFile,
          ...(values?.line(['global', 'image']) ? { line: values.line(['global', 'image'])! } : {}),
          what: `DAG image global.image of ${md.name} (tag = ${how})`,
        });
      else
        findings.push({
          level: 'warning',
          message: `DAG image ${dagImage}: set platform-version to check its 0.1.x tag`,
          file: valuesFile,
        });
    }
    for (const iv of imageValues(v)) {
      if (iv.path.join('.') === 'global.image') continue;
      if (!iv.value.includes('/') || !/:[\w][\w.-]*$/.test(iv.value) || iv.value.includes('{{')) continue;
      const value = iv.value.replace(/\{KAAPANA_BUILD_VERSION\}/g, buildVersion ?? '{KAAPANA_BUILD_VERSION}');
      wants.push({
        ref: value,
        file: valuesFile,
        ...(values?.line(iv.path) ? { line: values.line(iv.path)! } : {}),
        what: `values ${iv.path.join('.')}`,
      });
    }
  }

  // Check every wanted reference against the plan, then the registry.
  const planned = new Map(opts.plan.images.filter((i) => !i.localOnly).map((i) => [i.ref, i]));
  const byRepo = new Map(
    opts.plan.images.filter((i) => !i.localOnly).map((i) => [i.ref.slice(0, i.ref.length - i.tag.length - 1), i]),
  );
  for (const w of wants) {
    if (planned.has(w.ref)) continue;
    const colon = w.ref.lastIndexOf(':');
    const repo = colon > w.ref.lastIndexOf('/') ? w.ref.slice(0, colon) : w.ref;
    const same = byRepo.get(repo);
    if (same) {
      findings.push({
        level: 'error',
        message: `${w.what} resolves to ${w.ref}, but this run tags that image ${same.tag} (${same.versionRule}): the platform would fail with ErrImagePull. Make the tags agree (version, image-versions, chart-version inputs)`,
        file: w.file,
        ...(w.line ? { line: w.line } : {}),
      });
      continue;
    }
    const there = opts.exists ? await opts.exists(w.ref) : undefined;
    if (there === true) continue;
    if (there === undefined) {
      findings.push({
        level: 'warning',
        message: `${w.what} resolves to ${w.ref}, which this run does not build; the registry could not be asked whether it exists`,
        file: w.file,
        ...(w.line ? { line: w.line } : {}),
      });
      continue;
    }
    findings.push({
      level: 'error',
      message: `${w.what} resolves to ${w.ref}, which this run does not build and the registry does not have: the platform would fail with ErrImagePull`,
      file: w.file,
      ...(w.line ? { line: w.line } : {}),
    });
  }

  // DAG images: the modules a DAG file imports from its own build context must be copied along.
  for (const img of opts.plan.images.filter((i) => i.origin === 'context')) {
    const text = await readFile(img.dockerfilePath, 'utf8');
    const copies: { src: string; dest: string }[] = [];
    for (const m of text.matchAll(/^\s*(?:COPY|ADD)\s+(?:--\S+\s+)*(.+)$/gim)) {
      const parts = m[1]!.trim().split(/\s+/);
      if (parts.length < 2) continue;
      const dest = parts[parts.length - 1]!;
      if (!DAGS_RE.test(dest)) continue;
      for (const src of parts.slice(0, -1)) copies.push({ src, dest });
    }
    if (copies.length === 0) continue;
    // Paths (relative to the dags dir) the image will contain, and the source that ends up there.
    const installed: string[] = [];
    const dagFiles: { src: string; at: string }[] = [];
    for (const c of copies) {
      const destRel = c.dest.replace(DAGS_RE, '');
      const src = join(img.contextDir, c.src);
      const intoDir = c.dest.endsWith('/');
      const at = intoDir ? posix.join(destRel, basename(c.src)) : destRel;
      if (c.src.endsWith('/') || !/\.\w+$/.test(c.src)) installed.push(posix.join(destRel, '__dir__'));
      installed.push(at);
      if (c.src.endsWith('.py') && !at.includes('/')) dagFiles.push({ src, at });
    }
    const provides = (module: string) => {
      const parts = module.split('.');
      const top = parts[0]!;
      return installed.some((p) => p === `${top}.py` || p.startsWith(`${top}/`) || p === top);
    };
    const providesSub = (module: string) => {
      const path = module.split('.').join('/');
      return installed.some(
        (p) => p === `${path}.py` || p === path || p === posix.join(posix.dirname(path), '__dir__'),
      );
    };
    const localNames = new Set<string>();
    const contextFiles = files.filter((f) => f.startsWith(img.contextDir + '/'));
    for (const f of contextFiles) {
      for (const seg of relative(img.contextDir, f).split('/'))
        localNames.add(seg.replace(/\.py$/, '').replace(/-/g, '_'));
    }
    for (const dag of dagFiles) {
      if (!(await pathExists(dag.src))) continue;
      for (const imp of pythonImports(await readFile(dag.src, 'utf8'))) {
        const top = imp.module.split('.')[0]!;
        if (!localNames.has(top) || top === 'kaapana' || top === 'airflow') continue;
        const ok = provides(imp.module) && (imp.module.includes('.') ? providesSub(imp.module) : true);
        if (!ok) {
          findings.push({
            level: 'error',
            message: `${basename(dag.src)} imports ${imp.module}, but ${img.dockerfile} does not copy it into the dags directory (${copies
              .map((c) => c.dest)
              .filter((d, i, a) => a.indexOf(d) === i)
              .join(', ')}): Airflow cannot load the DAG`,
            file: rel(dag.src),
            line: imp.line,
          });
        }
      }
    }
  }
  return findings.sort((a, b) => (a.level === b.level ? 0 : a.level === 'error' ? -1 : 1));
}

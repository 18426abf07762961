// What the platform's helm does with a chart archive in the extensions directory, reduced to what
// the simulator needs, written from helm 3 (kube-helm runs helm v3.8.1 at 0.1.x and v3.17.3 at
// 0.6.0; v0.1.x/.../kube-helm/docker/Dockerfile, v0.6.0/.../kube-helm/docker/Dockerfile):
//  - `helm show chart <tgz>`: the Chart.yaml of the archive's top directory (kube-helm's
//    helm_show_chart / collect_all_tgz_charts read name, version, keywords, description from it);
//  - `helm show values <tgz>`: its values.yaml;
//  - the install-time check of `helm install` (cmd/helm/install.go → action.CheckDependencies):
//    every dependency declared in Chart.yaml (apiVersion v2) or requirements.yaml (v1, which helm 3's
//    loader reads into the same list) must be present as a subchart in charts/ (a directory or a
//    .tgz); otherwise "found in Chart.yaml, but missing in charts/ directory: <names>". helm checks
//    the top chart; a subchart without its own dependencies fails later while rendering (its
//    templates reference the missing library chart), so the simulator checks subcharts recursively
//    and names the path, e.g. "threshold-workflow/charts/dag-installer-chart".
// Independent of packages/core's chart engine on purpose: this is the platform side.
import { parse as parseYaml } from 'yaml';
import { tarEntries } from './image-pull.mjs';

async function untar(buf) {
  const files = new Map();
  for (const e of await tarEntries(buf))
    if (e.type === 'file' || e.type === 'contiguous-file') files.set(e.path, e.data);
  return files;
}

/** A chart from `path → bytes` relative to its root. */
async function chartFromFiles(files, where) {
  const chartYaml = files.get('Chart.yaml');
  if (!chartYaml) throw new Error(`Error: validation: chart.metadata is required (${where}: no Chart.yaml)`);
  let metadata;
  try {
    metadata = parseYaml(chartYaml.toString('utf8')) ?? {};
  } catch (e) {
    throw new Error(`Error: cannot load Chart.yaml: ${e.message} (${where})`);
  }
  if (!metadata.name) throw new Error(`Error: validation: chart.metadata.name is required (${where})`);
  let deps = metadata.dependencies ?? [];
  if ((metadata.apiVersion ?? 'v1') === 'v1' && files.has('requirements.yaml')) {
    deps = parseYaml(files.get('requirements.yaml').toString('utf8'))?.dependencies ?? [];
  }
  const values = files.has('values.yaml') ? (parseYaml(files.get('values.yaml').toString('utf8')) ?? {}) : {};
  const subcharts = [];
  const dirs = new Map();
  for (const [p, data] of files) {
    const m = /^charts\/([^/]+)(\/.*)?$/.exec(p);
    if (!m) continue;
    if (!m[2]) {
      if (m[1].endsWith('.tgz')) subcharts.push(await loadArchiveBuffer(data, `${where}/charts/${m[1]}`));
      continue;
    }
    if (!dirs.has(m[1])) dirs.set(m[1], new Map());
    dirs.get(m[1]).set(m[2].slice(1), data);
  }
  for (const [dir, sub] of dirs)
    if (sub.has('Chart.yaml')) subcharts.push(await chartFromFiles(sub, `${where}/charts/${dir}`));
  return { metadata, values, dependencies: deps.filter(Boolean), subcharts, where };
}

/** helm's loader on an archive: every entry lives below one top directory (the chart's name). */
export async function loadArchiveBuffer(buf, where = 'archive') {
  let files;
  try {
    files = await untar(buf);
  } catch (e) {
    throw new Error(
      `Error: file '${where}' does not appear to be a gzipped archive; got 'application/octet-stream' (${e.message})`,
    );
  }
  const rooted = new Map();
  for (const [p, data] of files) {
    const i = p.indexOf('/');
    if (i < 0) continue;
    rooted.set(p.slice(i + 1), data);
  }
  return chartFromFiles(rooted, where);
}

/** Missing dependencies, top chart first: `[{ path, missing: [names] }]`. */
export function missingDependencies(chart, path = chart.metadata.name) {
  const out = [];
  const present = new Set(chart.subcharts.map((s) => s.metadata.name));
  const missing = chart.dependencies.map((d) => d.name).filter((n) => !present.has(n));
  if (missing.length) out.push({ path, missing });
  for (const s of chart.subcharts) out.push(...missingDependencies(s, `${path}/charts/${s.metadata.name}`));
  return out;
}

/**
 * `helm install` of an archive, as far as the dependency check goes: resolves with the chart or
 * rejects with helm's own error text (what kube-helm logs).
 */
export async function installCheck(buf, where) {
  const chart = await loadArchiveBuffer(buf, where);
  const gaps = missingDependencies(chart);
  if (gaps.length > 0) {
    const top = gaps[0];
    const what =
      top.path === chart.metadata.name ? top.missing.join(', ') : `${top.missing.join(', ')} (in subchart ${top.path})`;
    throw new Error(
      `Error: INSTALLATION FAILED: An error occurred while checking for chart dependencies. You may need to run \`helm dependency build\` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: ${what}`,
    );
  }
  return chart;
}

// The chart archives an install-extension run delivers: each `.tgz` is loaded as helm loads it
// (chart engine), its name/version/keywords read, and every declared dependency checked to be
// present in its `charts/`, recursively — before anything is uploaded, since the platform would
// only fail later, at `helm install`, with "found in Chart.yaml, but missing in charts/ directory".
// The file name on the platform is always `<name>-<version>.tgz`: kube-helm installs
// `<extensions>/<name>-<version>.tgz` (v0.6.0 .../kube-helm/docker/files/backend/app/utils.py
// helm_install) and parses name and version back from the uploaded file name (file_handler.py
// add_file: `rsplit("-", 1)`), whatever the archive was called on the runner.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { KxAggregateError, KxError, errorMessage } from '../errors/index.js';
import { loadArchive } from '../chart/load.js';
import type { Chart } from '../chart/model.js';

export interface ChartArchive {
  /** Path on the runner. */
  path: string;
  name: string;
  version: string;
  keywords: string[];
  /** `<name>-<version>.tgz`, the name it gets on the platform. */
  fileName: string;
  data: Buffer;
  /** Has the `kaapanamultiinstallable` keyword: installs get a suffixed release and need the Project header. */
  multiInstallable: boolean;
}

/** A file name that stays inside its directory on every platform and in a shell word. */
const SAFE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

export function assertSafeFileName(name: string, what: string): void {
  if (!SAFE_FILE_NAME.test(name) || name.includes('..')) {
    throw new KxError(`${what} "${name}" is not a plain file name (letters, digits, . _ + -; no path, no "..")`);
  }
}

/** Declared dependencies missing from a chart's `charts/`, top chart first, with the path of the chart that lacks them. */
export function missingChartDependencies(
  chart: Chart,
  path = chart.metadata.name ?? '?',
): Array<{ path: string; missing: string[] }> {
  const present = new Set(chart.dependencies.map((d) => d.metadata.name));
  const missing = (chart.metadata.dependencies ?? []).flatMap((d) => (d && !present.has(d.name) ? [d.name] : []));
  const out = missing.length ? [{ path, missing }] : [];
  for (const sub of chart.dependencies)
    out.push(...missingChartDependencies(sub, `${path}/charts/${sub.metadata.name ?? '?'}`));
  return out;
}

export async function readChartArchive(path: string): Promise<ChartArchive> {
  if (!path.endsWith('.tgz'))
    throw new KxError(`chart ${path} is not a .tgz archive (package the chart first, e.g. with package-chart)`, {
      file: path,
    });
  const data = await readFile(path).catch((e: unknown) => {
    throw new KxError(`cannot read chart archive: ${errorMessage(e)}`, { file: path });
  });
  const chart = await loadArchive(data, path).catch((e: unknown) => {
    throw new KxError(`not a loadable chart archive: ${errorMessage(e)}`, { file: path });
  });
  const name = chart.metadata.name ?? '';
  const version = chart.metadata.version ?? '';
  const fileName = `${name}-${version}.tgz`;
  assertSafeFileName(fileName, `chart file name (from Chart.yaml of ${basename(path)})`);
  const gaps = missingChartDependencies(chart);
  if (gaps.length) {
    const list = gaps.map((g) => `${g.path}: ${g.missing.join(', ')}`).join('; ');
    throw new KxError(
      `chart ${name} ${version} lacks dependencies in its archive (${list}); the platform's helm install would fail with "missing in charts/ directory". Package it with its dependencies (package-chart does) before delivering it`,
      { file: path },
    );
  }
  const keywords = (chart.metadata.keywords ?? []).filter((k): k is string => typeof k === 'string');
  return {
    path,
    name,
    version,
    keywords,
    fileName,
    data,
    multiInstallable: keywords.includes('kaapanamultiinstallable'),
  };
}

/** Reads and checks every archive; reports all bad ones at once, and a file name given twice. */
export async function readChartArchives(paths: string[]): Promise<ChartArchive[]> {
  const errors: KxError[] = [];
  const out: ChartArchive[] = [];
  for (const p of paths) {
    try {
      out.push(await readChartArchive(p));
    } catch (e) {
      errors.push(e instanceof KxError ? e : new KxError(errorMessage(e), { file: p }));
    }
  }
  const seen = new Map<string, string>();
  for (const c of out) {
    const other = seen.get(c.fileName);
    if (other) errors.push(new KxError(`${c.path} and ${other} are both ${c.fileName}`, { file: c.path }));
    seen.set(c.fileName, c.path);
  }
  if (errors.length === 1) throw errors[0]!;
  if (errors.length) throw new KxAggregateError(errors);
  return out;
}

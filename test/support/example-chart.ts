// The example extension's workflow chart packaged for tests, from a temp copy of the example tree
// (the dependency update writes charts/ and must not touch the checkout): with its dependency
// (dag-installer-chart in charts/, as package-chart ships it) or without (charts/ left empty).
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDir, packageChart, writeChartArchive } from '@kaapana-ext/core/chart';

const EXAMPLE = resolve(import.meta.dirname, '../../examples/threshold-segmentation');

export interface PackagedExample {
  path: string;
  name: string;
  version: string;
}

export async function packageExampleChart(withDependencies = true, version?: string): Promise<PackagedExample> {
  const dir = await mkdtemp(join(tmpdir(), 'kx-example-chart-'));
  await cp(
    join(EXAMPLE, 'extension/threshold-segmentation-workflow'),
    join(dir, 'extension/threshold-segmentation-workflow'),
    { recursive: true },
  );
  await cp(join(EXAMPLE, 'platform/dag-installer-chart'), join(dir, 'platform/dag-installer-chart'), {
    recursive: true,
  });
  const chartDir = join(dir, 'extension/threshold-segmentation-workflow');
  if (!withDependencies) {
    // What `helm package` refuses to make but a hand-made archive can be: charts/ empty. The
    // example's own charts/ may hold a dependency another test (or the demo) packaged in place.
    await rm(join(chartDir, 'charts'), { recursive: true, force: true });
    const c = await loadDir(chartDir);
    if (version) c.metadata.version = version;
    const path = join(dir, `${c.metadata.name}-${c.metadata.version}.tgz`);
    await writeFile(path, await writeChartArchive(c));
    return { path, name: c.metadata.name ?? '', version: c.metadata.version ?? '' };
  }
  const r = await packageChart(chartDir, {
    destination: join(dir, 'out'),
    dependencyUpdate: true,
    ...(version ? { version } : {}),
  });
  return { path: r.path, name: r.name, version: r.version };
}

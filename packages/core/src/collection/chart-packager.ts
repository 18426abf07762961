// The default ChartPackager of the collection: packages a dependency's chart directory with the
// chart engine (helm's LoadDir + Save layout, as `helm dep up` does for file:// dependencies: the
// target is packaged as it is, its own dependencies are not updated) into `<name>-<version>.tgz`.
import { join } from 'node:path';
import { writeFileAtomic } from '../fsutil/index.js';
import { writeChartArchive } from '../chart/archive.js';
import { loadDir } from '../chart/load.js';

/** Package `chartDir` into `<destDir>/<name>-<version>.tgz`; returns the archive path. */
export async function packageChartDir(chartDir: string, destDir: string): Promise<string> {
  const chart = await loadDir(chartDir);
  const file = join(destDir, `${chart.metadata.name}-${chart.metadata.version}.tgz`);
  await writeFileAtomic(file, await writeChartArchive(chart));
  return file;
}

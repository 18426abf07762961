// The job summary of action-package-chart: one table row per chart — name, version, archive (relative
// to the workspace), sha256 and OCI reference, or where a dry run would write — and one per failed
// chart with its error; built by summaryMarkdown (pure, unit-tested) and written through
// actions-kit's writeJobSummary (a no-op outside a runner).
import { relative } from 'node:path';
import { cell, writeJobSummary } from '@kaapana-ext/actions-kit';
import type { PackagedChart } from '@kaapana-ext/core/packaging';

/** A chart that failed, with its error message. */
export interface FailedChart {
  dir: string;
  error: string;
}

export function summaryMarkdown(
  done: PackagedChart[],
  failed: FailedChart[],
  workspace: string,
  dryRun: boolean,
): string {
  const rows = done.map((p) =>
    [
      cell(p.name),
      cell(p.version),
      cell(relative(workspace, p.path) || p.path),
      p.dryRun ? 'dry run: not written' : cell(`\`${p.sha256.slice(0, 12)}…\``),
      cell(p.ref ? `${p.ref} (${p.pushed ?? 'dry run: not pushed'})` : '—'),
    ].join(' | '),
  );
  for (const f of failed)
    rows.push([cell(relative(workspace, f.dir) || f.dir), '', '', '', cell(`failed: ${f.error}`)].join(' | '));
  return [
    `## Kaapana extension charts${dryRun ? ' (dry run)' : ''}`,
    '',
    '| chart | version | archive | sha256 | OCI |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
    '',
  ].join('\n');
}

/** Appends the summary to the job summary (a no-op outside a runner). */
export async function writeSummary(
  done: PackagedChart[],
  failed: FailedChart[],
  workspace: string,
  dryRun: boolean,
): Promise<void> {
  await writeJobSummary(summaryMarkdown(done, failed, workspace, dryRun));
}

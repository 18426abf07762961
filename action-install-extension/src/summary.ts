// The job summary of action-install-extension: what was delivered where, each image with size and
// times, and each release with its status.
import { cell, writeJobSummary } from '@kaapana-ext/actions-kit';
import type { InstallExtensionResult } from '@kaapana-ext/core/platform';

const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

export function summaryMarkdown(r: InstallExtensionResult): string {
  let md = `## Kaapana: install extension${r.dryRun ? ' (dry run: nothing was sent)' : ''}\n\nPlatform: ${cell(r.route)} (Kaapana ${r.generation} API)\n`;
  if (r.delivered.length) {
    md += `\n| chart | version | method | to | size |\n| --- | --- | --- | --- | --- |\n`;
    md +=
      r.delivered
        .map(
          (d) => `| \`${cell(d.name)}\` | ${cell(d.version)} | ${cell(d.method)} | \`${cell(d.to)}\` | ${d.bytes} B |`,
        )
        .join('\n') + '\n';
  }
  if (r.imported.length) {
    md += `\n| image | tar | size | docker save | upload | import |\n| --- | --- | --- | --- | --- | --- |\n`;
    md +=
      r.imported
        .map(
          (i) =>
            `| \`${cell(i.image)}\` | ${cell(i.file)} | ${mib(i.bytes)} | ${i.saveSeconds.toFixed(1)} s | ${i.uploadSeconds.toFixed(1)} s (${mib(i.bytes / Math.max(i.uploadSeconds, 0.001))}/s) | ${cell(i.reply.slice(0, 200))} |`,
        )
        .join('\n') + '\n';
  }
  const releases = [...r.releases, ...r.uninstalled];
  if (releases.length) {
    md += `\n| release | chart | version | status |\n| --- | --- | --- | --- |\n`;
    md +=
      releases
        .map(
          (x) =>
            `| \`${cell(x.name)}\` | ${cell(x.chart)} | ${cell(x.version)} | ${cell(x.status)}${x.alreadyInstalled ? ' (was already installed)' : ''} |`,
        )
        .join('\n') + '\n';
  }
  if (r.dryRun && r.requests.length) md += `\nRequests it would make:\n\n\`\`\`\n${r.requests.join('\n')}\n\`\`\`\n`;
  return md;
}

/** Appends the summary to the job summary (a no-op outside a runner). */
export async function writeSummary(r: InstallExtensionResult): Promise<void> {
  await writeJobSummary(summaryMarkdown(r));
}

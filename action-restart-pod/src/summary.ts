// The job summary of action-restart-pod: one table of what was touched and what came back, built by
// summaryMarkdown (pure, unit-tested) and written through actions-kit's writeJobSummary.
import { cell, writeJobSummary } from '@kaapana-ext/actions-kit';
import type { RestartResult } from '@kaapana-ext/core/kube';
import type { KubectlChoice } from '@kaapana-ext/actions-kit/tools';

export function summaryMarkdown(result: RestartResult, kubectl: KubectlChoice): string {
  const rows: Array<[string, string]> = [
    ['strategy', `\`${result.strategy}\`${result.dryRun ? ' (dry run: nothing was changed)' : ''}`],
    ['namespace', result.namespace ? `\`${result.namespace}\`` : '(from the context)'],
    ...result.resources.map((r): [string, string] => [`${r.action}`, `\`${r.kind}/${r.name}\``]),
  ];
  if (result.pods.length) rows.push(['new pods', result.pods.map((p) => `\`${p}\``).join('<br>')]);
  if (result.reply !== undefined)
    // Pipes are escaped once, for every row, below.
    rows.push(['reply', `${result.status ?? ''} ${result.reply.slice(0, 300).replace(/\n/g, ' ')}`.trim()]);
  if (result.job)
    rows.push([
      'copy Job',
      `\`${result.jobNamespace}/${result.job}\`${result.pod ? ` (pod \`${result.pod}\` ${result.podState ?? ''})` : ''}`,
    ]);
  if (result.charts)
    rows.push([
      'charts listed by /extensions',
      result.charts.length ? result.charts.map((c) => `\`${c}\``).join('<br>') : '(none)',
    ]);
  if (result.verifiedMs !== undefined)
    rows.push(['reload + verification', `${(result.verifiedMs / 1000).toFixed(1)} s`]);
  rows.push(['kubectl', `\`${kubectl.path}\` (${kubectl.source}${kubectl.version ? ` ${kubectl.version}` : ''})`]);
  let md = `## Kaapana: reload\n\n| | |\n| --- | --- |\n${rows.map(([k, v]) => `| ${cell(k)} | ${v.replace(/\|/g, '\\|')} |`).join('\n')}\n`;
  if (result.dryRun && result.commands.length) md += `\nCommands:\n\n\`\`\`sh\n${result.commands.join('\n')}\n\`\`\`\n`;
  return md;
}

/** Appends the summary to the job summary (a no-op outside a runner). */
export async function writeSummary(result: RestartResult, kubectl: KubectlChoice): Promise<void> {
  await writeJobSummary(summaryMarkdown(result, kubectl));
}

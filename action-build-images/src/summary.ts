// The job summary of action-build-images: one table row per planned image (reference, tag rule,
// Dockerfile, status, digest, time), the build order as a mermaid graph, the Dockerfiles skipped by
// label, duplicate IMAGE labels and the labels set; built by summaryMarkdown (pure, unit-tested) and
// written through actions-kit's writeJobSummary (a no-op outside a runner).
import { cell, writeJobSummary } from '@kaapana-ext/actions-kit';
import { planToMermaid, type BuildPlan, type ImageResult } from '@kaapana-ext/core/images';

/** `results` undefined: nothing was built (a dry run, or a failure before any build). */
export function summaryMarkdown(plan: BuildPlan, results: ImageResult[] | undefined, dryRun: boolean): string {
  const rows = plan.images.map((img) => {
    const r = results?.find((x) => x.name === img.name);
    return [
      cell(img.name),
      cell(img.localOnly ? `local-only/${img.name}` : img.tags.join(', ')),
      cell(img.versionRule),
      cell(img.dockerfile),
      cell(r ? r.status : dryRun ? 'planned' : 'not-built'),
      cell(r?.digest ? `\`${r.digest.slice(0, 19)}…\`` : ''),
      cell(r && r.durationMs ? `${(r.durationMs / 1000).toFixed(1)} s` : ''),
    ];
  });
  const table = [
    '| image | reference | tag from | Dockerfile | status | digest | time |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
  let md = `## Kaapana extension images${dryRun ? ' (dry run)' : ''}\n\n${table}\n\n### Build order\n\n\`\`\`mermaid\n${planToMermaid(plan)}\n\`\`\`\n`;
  if (plan.skipped.length)
    md += `\nSkipped by label: ${plan.skipped.map((s) => `\`${s.dockerfile}\` (${s.reason})`).join(', ')}\n`;
  if (plan.duplicates.length)
    md += `\nDuplicate IMAGE labels (first in path order kept, as Kaapana's build): ${plan.duplicates.map((d) => `\`${d.image}\` kept \`${d.kept}\`, dropped \`${d.dropped}\``).join('; ')}\n`;
  const labelled = plan.images.filter((i) => i.labels && Object.keys(i.labels).length);
  if (labelled.length) {
    md += `\n### Labels\n\n| image | label | value |\n| --- | --- | --- |\n`;
    for (const img of labelled)
      for (const [k, v] of Object.entries(img.labels!)) md += `| ${cell(img.name)} | \`${cell(k)}\` | ${cell(v)} |\n`;
  }
  return md;
}

/** Appends the summary to the job summary (a no-op outside a runner). */
export async function writeSummary(
  plan: BuildPlan,
  results: ImageResult[] | undefined,
  dryRun: boolean,
): Promise<void> {
  await writeJobSummary(summaryMarkdown(plan, results, dryRun));
}

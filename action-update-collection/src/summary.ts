// The job summary of action-update-collection: one table per mode — the full collection (the edit,
// its commit, the image with its digest, platform directory and charts, what missing-charts warn
// dropped, and the diff) or base-collection (the base kept, the image, the charts added, the
// collection chart's edit) — built by pure functions (unit-tested) and written through actions-kit's
// writeJobSummary (a no-op outside a runner).
import { cell, writeJobSummary } from '@kaapana-ext/actions-kit';
import type {
  BaseCollectionUpdateResult,
  CollectionImageRef,
  CollectionImageResult,
  UpdateDependencyResult,
} from '@kaapana-ext/core/collection';

/** What the full-collection mode did: the edit, and the commit and image that followed (if any). */
export interface CollectionRun {
  edit: UpdateDependencyResult;
  dryRun: boolean;
  /** SHA of the commit ('' when none). */
  commit: string;
  image: CollectionImageResult | undefined;
  /** The image a dry run would build. */
  planned: CollectionImageRef | undefined;
}

const table = (title: string, rows: Array<[string, string]>): string =>
  `## ${title}\n\n| | |\n| --- | --- |\n${rows.map(([k, v]) => `| ${cell(k)} | ${v.replace(/\|/g, '\\|')} |`).join('\n')}\n`;

function editRows({ edit, dryRun }: CollectionRun): Array<[string, string]> {
  return [
    [
      'extension',
      `\`${edit.entry.name}\` ${edit.entry.version}${edit.entry.repository ? ` (\`${edit.entry.repository}\`)` : ''}`,
    ],
    ['collection', `\`${edit.collectionName}\` ${edit.collectionVersion} (chart apiVersion ${edit.apiVersion})`],
    ['file', `\`${edit.displayPath}\``],
    [
      'change',
      edit.changed
        ? `${edit.action}${edit.previousVersion ? ` (was ${edit.previousVersion})` : ''}${dryRun ? ', dry run: not written' : ''}`
        : 'none: already listed with this version',
    ],
  ];
}

function imageRows(image: CollectionImageResult): Array<[string, string]> {
  const rows: Array<[string, string]> = [['image', `\`${image.ref}\``]];
  rows.push([
    'digest',
    image.digest
      ? `\`${image.digest}\`${image.skipped ? ' (already published with identical charts: not rebuilt)' : ''}`
      : 'not pushed',
  ]);
  if (image.dropped.length)
    rows.push([
      'dropped (missing-charts warn)',
      `**${image.dropped.length} extension(s) of the collection are NOT in this image**: ${image.dropped.map((d) => `\`${d}\``).join(', ')}`,
    ]);
  rows.push([
    'platform directory',
    `\`/${image.platformDir}\` (what the platform's copy container reads; every chart there loads with its dependencies)`,
  ]);
  rows.push([
    'charts in image',
    image.imageCharts.length
      ? image.imageCharts.map((c) => `\`${c}\``).join('<br>')
      : image.charts.map((c) => `\`${c.file.slice(c.file.lastIndexOf('/') + 1)}\``).join('<br>'),
  ]);
  return rows;
}

/** The full-collection mode's summary: the table, then the diff of the edit. */
export function summaryMarkdown(run: CollectionRun): string {
  const rows = editRows(run);
  if (run.commit) rows.push(['commit', `\`${run.commit}\``]);
  if (run.planned) rows.push(['image', `\`${run.planned.ref}\` (dry run: not built)`]);
  if (run.image) rows.push(...imageRows(run.image));
  let md = table('Kaapana extension collection', rows);
  const { edit } = run;
  if (edit.diff)
    md += `\n<details><summary>diff of ${edit.displayPath}</summary>\n\n\`\`\`diff\n${edit.diff}\`\`\`\n\n</details>\n`;
  return md;
}

/** The base-collection mode's summary. */
export function baseSummaryMarkdown(baseCollection: string, r: BaseCollectionUpdateResult): string {
  const img = r.image;
  return table('Kaapana extension collection (base-collection)', [
    [
      'base collection',
      `\`${baseCollection}\` (${img ? `${img.baseCharts.length} chart archive(s) in \`/${img.platformDir}\`, all kept` : 'dry run'})`,
    ],
    [
      'image',
      `\`${r.planned.ref}\`${img?.digest ? ` \`${img.digest}\`` : img ? ' (not pushed)' : ' (dry run: not built)'}`,
    ],
    [
      'added',
      r.expectCharts.map((c) => `\`${c}\``).join(', ') +
        (img?.replaced.length ? ` (replacing ${img.replaced.join(', ')})` : ''),
    ],
    [
      'collection chart',
      r.edit
        ? `\`${r.edit.displayPath}\`: ${r.edit.changed ? r.edit.action : 'unchanged'}`
        : 'not in this tree: not edited',
    ],
  ]);
}

/** Appends the full-collection summary to the job summary (a no-op outside a runner). */
export async function writeSummary(run: CollectionRun): Promise<void> {
  await writeJobSummary(summaryMarkdown(run));
}

/** Appends the base-collection summary to the job summary (a no-op outside a runner). */
export async function writeBaseSummary(baseCollection: string, r: BaseCollectionUpdateResult): Promise<void> {
  await writeJobSummary(baseSummaryMarkdown(baseCollection, r));
}

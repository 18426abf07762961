// action-update-collection: typed inputs → core collection edit (+ optional commit) → collection
// image build, push and read-back → outputs, job summary, and a post step that logs out of the
// registry. All domain logic lives in @kaapana-ext/core/collection (and images/registry/chart).
import * as core from '@actions/core';
import { relative, resolve } from 'node:path';
import {
  cell,
  getBool,
  getChoice,
  getInt,
  getList,
  getMap,
  getSecret,
  runMainOrPost,
  loginForPost,
  logoutFromState,
  actionsExec,
} from '@kaapana-ext/actions-kit';
import {
  buildCollectionImage,
  collectionImageRef,
  commitFile,
  updateBaseCollection,
  updateCollectionDependency,
  type BaseCollectionUpdateResult,
  type CollectionImageRef,
  type CollectionImageResult,
  type RepositoryChoice,
  type UpdateDependencyResult,
} from '@kaapana-ext/core/collection';
import { DockerCli, parseTagStyle, validateRegistry, type TagStyle } from '@kaapana-ext/core/images';
import { parseImageRef } from '@kaapana-ext/core/registry';
import { KxError } from '@kaapana-ext/core';

export interface Inputs {
  baseCollection: string;
  collectionDir: string;
  chart: string;
  chartName: string;
  chartVersion: string;
  repository: RepositoryChoice;
  dryRun: boolean;
  commit: boolean;
  commitMessage: string;
  build: boolean;
  charts: string[];
  chartSearchDirs: string[];
  missingCharts: 'error' | 'warn';
  context: string;
  ignore: string[];
  baseImages: Record<string, string>;
  kaapanaSource: string;
  registry: string;
  tagStyle: TagStyle;
  platformVersion: string;
  platformAbbr: string;
  collectionVersion: string;
  push: boolean;
  skipExisting: boolean;
  retries: number;
  username: string;
  password: string;
}

export function getInputs(): Inputs {
  const build = getBool('build', true);
  const registry = core.getInput('registry').trim();
  const baseCollection = core.getInput('base-collection').trim();
  if (build && !registry && !baseCollection)
    throw new KxError('input registry is required when build is true (or give base-collection)');
  const context = resolve(core.getInput('context') || '.');
  return {
    baseCollection,
    collectionDir: resolve(core.getInput('collection-dir') || 'collections/kaapana-collection'),
    chart: core.getInput('chart').trim() ? resolve(core.getInput('chart').trim()) : '',
    chartName: core.getInput('chart-name').trim(),
    chartVersion: core.getInput('chart-version').trim(),
    repository: core.getInput('repository').trim() || 'auto',
    dryRun: getBool('dry-run', false),
    commit: getBool('commit', false),
    commitMessage: core.getInput('commit-message').trim(),
    build,
    charts: getList('charts').map((c) => resolve(c)),
    chartSearchDirs: getList('chart-search-dirs').map((d) => resolve(d)),
    missingCharts: getChoice('missing-charts', ['error', 'warn'] as const, 'error'),
    context,
    ignore: getList('ignore'),
    baseImages: getMap('base-images'),
    kaapanaSource: core.getInput('kaapana-source').trim() ? resolve(core.getInput('kaapana-source').trim()) : '',
    registry: registry ? validateRegistry(registry) : '',
    tagStyle: parseTagStyle(core.getInput('tag-style')),
    platformVersion: core.getInput('platform-version').trim(),
    platformAbbr: core.getInput('platform-abbr').trim() || 'kp',
    collectionVersion: core.getInput('collection-version').trim(),
    push: getBool('push', true),
    skipExisting: getBool('skip-existing', false),
    retries: getInt('retries', 5, 1),
    username: core.getInput('username'),
    password: getSecret('password'),
  };
}

const workspace = () => process.env.GITHUB_WORKSPACE ?? process.cwd();
const shown = (p: string) => relative(workspace(), p) || p;

async function writeSummary(
  inputs: Inputs,
  edit: UpdateDependencyResult,
  commit: string,
  image: CollectionImageResult | undefined,
  planned: CollectionImageRef | undefined,
): Promise<void> {
  const rows: [string, string][] = [
    [
      'extension',
      `\`${edit.entry.name}\` ${edit.entry.version}${edit.entry.repository ? ` (\`${edit.entry.repository}\`)` : ''}`,
    ],
    ['collection', `\`${edit.collectionName}\` ${edit.collectionVersion} (chart apiVersion ${edit.apiVersion})`],
    ['file', `\`${edit.displayPath}\``],
    [
      'change',
      edit.changed
        ? `${edit.action}${edit.previousVersion ? ` (was ${edit.previousVersion})` : ''}${inputs.dryRun ? ', dry run: not written' : ''}`
        : 'none: already listed with this version',
    ],
  ];
  if (commit) rows.push(['commit', `\`${commit}\``]);
  if (planned) rows.push(['image', `\`${planned.ref}\` (dry run: not built)`]);
  if (image) {
    rows.push(['image', `\`${image.ref}\``]);
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
  }
  let md = `## Kaapana extension collection\n\n| | |\n| --- | --- |\n${rows.map(([k, v]) => `| ${cell(k)} | ${v.replace(/\|/g, '\\|')} |`).join('\n')}\n`;
  if (edit.diff)
    md += `\n<details><summary>diff of ${edit.displayPath}</summary>\n\n\`\`\`diff\n${edit.diff}\`\`\`\n\n</details>\n`;
  await core.summary.addRaw(md).write();
}

/** base-collection mode: our chart(s) added to the platform's collection image (core updateBaseCollection). */
async function mainOnBase(inputs: Inputs): Promise<void> {
  const docker = new DockerCli({ exec: actionsExec });
  const host = parseImageRef(inputs.registry ? `${inputs.registry}/x:1` : inputs.baseCollection).registry;
  if (inputs.username && inputs.password && inputs.push && !inputs.dryRun)
    await loginForPost(docker, host, inputs.username, inputs.password);
  const r = await core.group(`Add our chart(s) to ${inputs.baseCollection}`, () =>
    updateBaseCollection({
      base: inputs.baseCollection,
      ...(inputs.registry ? { registry: inputs.registry } : {}),
      archives: inputs.charts,
      ...(inputs.chart ? { chartDir: inputs.chart } : {}),
      ...(inputs.chartSearchDirs.length ? { searchDirs: inputs.chartSearchDirs } : {}),
      ...(inputs.kaapanaSource ? { kaapanaSource: inputs.kaapanaSource } : {}),
      ...(inputs.platformVersion ? { platformVersion: inputs.platformVersion } : {}),
      collectionDir: inputs.collectionDir,
      ...(inputs.chartName ? { name: inputs.chartName } : {}),
      ...(inputs.chartVersion ? { version: inputs.chartVersion } : {}),
      repository: inputs.repository,
      dryRun: inputs.dryRun,
      build: inputs.build,
      displayRoot: workspace(),
      push: inputs.push,
      retry: { attempts: inputs.retries },
      docker,
      ...(inputs.username && inputs.password
        ? { auth: { registry: host, username: inputs.username, password: inputs.password } }
        : {}),
      onProgress: (m) => core.info(m),
    }),
  );
  const commit =
    inputs.commit && r.edit?.changed && r.image
      ? await commitFile({
          file: r.edit.file,
          message:
            inputs.commitMessage ||
            `collection: ${r.edit.action === 'added' ? 'add' : 'bump'} ${r.edit.entry.name} ${r.edit.entry.version}`,
          exec: actionsExec,
        })
      : '';
  const img = r.image;
  const outputs: Record<string, string> = {
    changed: String(r.edit?.changed ?? false),
    diff: r.edit?.diff ?? '',
    file: r.edit ? shown(r.edit.file) : '',
    commit,
    image: r.planned.image,
    tag: r.planned.tag,
    digest: img?.digest ?? '',
    charts: JSON.stringify(img?.imageCharts ?? []),
    'expect-charts': JSON.stringify(r.expectCharts),
    skipped: 'false',
  };
  for (const [k, v] of Object.entries(outputs)) core.setOutput(k, v);
  await writeBaseSummary(inputs, r);
}

async function writeBaseSummary(inputs: Inputs, r: BaseCollectionUpdateResult): Promise<void> {
  const img = r.image;
  const rows = [
    [
      'base collection',
      `\`${inputs.baseCollection}\` (${img ? `${img.baseCharts.length} chart archive(s) in \`/${img.platformDir}\`, all kept` : 'dry run'})`,
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
  ];
  await core.summary
    .addRaw(
      `## Kaapana extension collection (base-collection)\n\n| | |\n| --- | --- |\n${rows.map(([k, v]) => `| ${cell(k!)} | ${v!.replace(/\|/g, '\\|')} |`).join('\n')}\n`,
    )
    .write();
}

async function main(): Promise<void> {
  const inputs = getInputs();
  if (inputs.baseCollection) return mainOnBase(inputs);
  const edit = await core.group('Update the collection dependency list', async () => {
    const r = await updateCollectionDependency({
      collectionDir: inputs.collectionDir,
      ...(inputs.chart ? { chartDir: inputs.chart } : {}),
      ...(inputs.chartName ? { name: inputs.chartName } : {}),
      ...(inputs.chartVersion ? { version: inputs.chartVersion } : {}),
      repository: inputs.repository,
      dryRun: inputs.dryRun,
      displayRoot: workspace(),
    });
    core.info(
      `${r.displayPath}: ${r.entry.name} ${r.entry.version} ${r.changed ? r.action : 'already listed, unchanged'}`,
    );
    if (r.diff) core.info(r.diff);
    return r;
  });
  core.setOutput('changed', String(edit.changed));
  core.setOutput('diff', edit.diff);
  core.setOutput('file', shown(edit.file));

  let commit = '';
  let built = false;
  let image: CollectionImageResult | undefined;
  let planned: CollectionImageRef | undefined;
  // Which image: the same for the dry-run plan and the build.
  const target = {
    collectionDir: inputs.collectionDir,
    registry: inputs.registry,
    tagStyle: inputs.tagStyle,
    abbr: inputs.platformAbbr,
    ...(inputs.platformVersion ? { platformVersion: inputs.platformVersion } : {}),
    ...(inputs.collectionVersion ? { version: inputs.collectionVersion } : {}),
  };
  try {
    if (inputs.build && inputs.dryRun) {
      planned = await collectionImageRef(target);
      core.info(`dry run: would build and push ${planned.ref}`);
    }
    if (inputs.build && !inputs.dryRun) {
      const docker = new DockerCli({ exec: actionsExec });
      const registryHost = parseImageRef(`${inputs.registry}/x:1`).registry;
      if (inputs.username && inputs.password && inputs.push) {
        await loginForPost(docker, registryHost, inputs.username, inputs.password);
      }
      image = await core.group('Build, push and verify the collection image', () =>
        buildCollectionImage({
          ...target,
          context: inputs.context,
          ignore: inputs.ignore,
          baseImages: inputs.baseImages,
          ...(inputs.kaapanaSource ? { kaapanaSource: inputs.kaapanaSource } : {}),
          archives: inputs.charts,
          ...(inputs.chartSearchDirs.length ? { searchDirs: inputs.chartSearchDirs } : {}),
          missing: inputs.missingCharts,
          expectCharts: [`${edit.entry.name}-${edit.entry.version}.tgz`],
          push: inputs.push,
          skipExisting: inputs.skipExisting,
          retry: { attempts: inputs.retries },
          docker,
          ...(inputs.username && inputs.password
            ? { auth: { registry: registryHost, username: inputs.username, password: inputs.password } }
            : {}),
          onProgress: (m) => core.info(m),
          onWarning: (m) => core.warning(m),
          onImageDone: (r, output) => {
            if (output.length === 0) return;
            core.info(`--- ${r.localOnly ? `local-only/${r.name}` : r.ref} (${r.status})`);
            for (const line of output) core.info(line);
          },
        }),
      );
      if (image.dropped.length) {
        core.warning(
          `missing-charts warn: the collection image ${image.ref} does not carry ${image.dropped.length} extension(s) the collection lists, so a platform reloading it loses them: ${image.dropped.join(', ')}`,
        );
      }
      core.info(
        `collection image ${image.ref}${image.digest ? `@${image.digest}` : ''} carries: ${(image.imageCharts.length ? image.imageCharts : image.charts.map((c) => c.file)).join(', ')}`,
      );
    }
    // Only a successful build makes the edit stay (and get committed).
    built = true;
    if (inputs.commit && edit.changed && !inputs.dryRun) {
      commit = await core.group('Commit', async () => {
        const message =
          inputs.commitMessage ||
          `collection: ${edit.action === 'added' ? 'add' : 'bump'} ${edit.entry.name} ${edit.entry.version}`;
        const sha = await commitFile({ file: edit.file, message, exec: actionsExec });
        core.info(`committed ${edit.displayPath} as ${sha}`);
        return sha;
      });
    }
  } catch (e) {
    if (!built && edit.changed && !inputs.dryRun) {
      await edit.restore();
      core.info(`restored ${edit.displayPath} as it was before the edit`);
      core.setOutput('changed', 'false');
      core.setOutput('diff', '');
    }
    throw e;
  } finally {
    core.setOutput('commit', commit);
    core.setOutput('image', image?.image ?? planned?.image ?? '');
    core.setOutput('tag', image?.tag ?? planned?.tag ?? '');
    core.setOutput('digest', image?.digest ?? '');
    core.setOutput('charts', JSON.stringify(image?.imageCharts ?? []));
    core.setOutput('skipped', String(image?.skipped ?? false));
    core.setOutput('expect-charts', JSON.stringify(expectedCharts(edit, image, inputs.platformVersion)));
    await writeSummary(inputs, edit, commit, image, planned);
  }
}

/**
 * `<name>-<version>` the platform must list after a reload: the chart this run added or bumped, with
 * the version of the archive carried in the image (a listed `0.0.0` stands for the platform version).
 */
function expectedCharts(
  edit: UpdateDependencyResult,
  image: CollectionImageResult | undefined,
  platformVersion: string,
): string[] {
  const carried = image?.charts.find((c) => c.name === edit.entry.name);
  if (carried) return [`${carried.name}-${carried.version}`];
  const version = edit.entry.version === '0.0.0' && platformVersion ? platformVersion : edit.entry.version;
  return [`${edit.entry.name}-${version}`];
}

export async function run(): Promise<void> {
  await runMainOrPost(main, logoutFromState);
}

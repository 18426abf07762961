// The typed inputs of action-package-chart, read once; every default comes from action.yml (read by
// actions-kit's actionInputs), booleans by the runner's rules. Paths are resolved against the
// workspace; the push location is checked here, and the reference lint's view of the run (the images
// build-images plans and what references resolve with) is read from the images input and the
// settings beside it. The password is masked as it is read.
import { resolve } from 'node:path';
import { actionInputs, type ActionInputs } from '@kaapana-ext/actions-kit';
import { KxError } from '@kaapana-ext/core';
import { parseOciUrl } from '@kaapana-ext/core/chart';
import { parseTagStyle } from '@kaapana-ext/core/images';
import { chartLintSettings, parseBuiltImages, type BuiltImage, type LintSettings } from '@kaapana-ext/core/references';

export interface Inputs {
  workspace: string;
  /** Chart directories or globs: chart, then charts. */
  charts: string[];
  version: string;
  appVersion: string;
  dependencyUpdate: boolean;
  searchPaths: string[];
  kaapanaSource: string;
  destination: string;
  /** oci://host/path, or '' for no push. */
  push: string;
  username: string;
  password: string;
  skipExisting: boolean;
  allowExternalSymlinks: boolean;
  dryRun: boolean;
  referenceLint: 'error' | 'warn' | 'off';
  /** The reference lint's view of the run: the images it builds and what references resolve with. */
  references: { images: BuiltImage[]; settings: LintSettings };
}

export function getInputs(): Inputs {
  const input = actionInputs(import.meta.url);
  const workspace = resolve(process.env.GITHUB_WORKSPACE ?? '.');
  const single = input.string('chart');
  const charts = [...(single ? [single] : []), ...input.list('charts')];
  if (charts.length === 0)
    throw new KxError('set the input chart (one chart directory) or charts (directories or globs)');
  const push = input.string('push');
  if (push) parseOciUrl(push);
  const kaapanaSource = input.string('kaapana-source');
  return {
    workspace,
    charts,
    version: input.string('version'),
    appVersion: input.string('app-version'),
    dependencyUpdate: input.bool('dependency-update'),
    searchPaths: input.list('chart-search-paths').map((p) => resolve(workspace, p)),
    kaapanaSource: kaapanaSource ? resolve(workspace, kaapanaSource) : '',
    destination: resolve(workspace, input.string('destination')),
    push,
    username: input.string('username'),
    password: input.secret('password'),
    skipExisting: input.bool('skip-existing'),
    allowExternalSymlinks: input.bool('allow-external-symlinks'),
    dryRun: input.bool('dry-run'),
    referenceLint: input.choice('reference-lint', ['error', 'warn', 'off'] as const),
    references: referenceInputs(input),
  };
}

function referenceInputs(input: ActionInputs): Inputs['references'] {
  const built = parseBuiltImages(input.string('images'), 'input images');
  const settings = chartLintSettings(built.settings, {
    registry: input.string('registry'),
    tagStyle: parseTagStyle(input.string('tag-style')),
    platformVersion: input.string('platform-version'),
    abbr: input.string('platform-abbr'),
    chartVersion: input.string('version'),
  });
  return { images: built.images, settings };
}

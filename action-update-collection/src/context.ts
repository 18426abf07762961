// The typed inputs of action-update-collection, read once; every default comes from action.yml (read
// by actions-kit's actionInputs), booleans by the runner's rules. Paths are resolved against the
// working directory here, and the inputs are shaped as the options of the core calls they feed:
// the dependency-list edit, the collection image (which one, and what goes in) and, with
// base-collection, updateBaseCollection. The password is masked as it is read.
import { resolve } from 'node:path';
import { actionInputs, type ActionInputs } from '@kaapana-ext/actions-kit';
import { KxError } from '@kaapana-ext/core';
import type {
  BaseCollectionUpdateOptions,
  CollectionImageOptions,
  UpdateDependencyOptions,
} from '@kaapana-ext/core/collection';
import { parseTagStyle, validateRegistry } from '@kaapana-ext/core/images';
import { parseImageRef } from '@kaapana-ext/core/registry';

/** Which collection image: the dry-run plan's and the build's (collectionImageRef's options). */
export type CollectionTarget = Pick<
  CollectionImageOptions,
  'collectionDir' | 'registry' | 'tagStyle' | 'abbr' | 'platformVersion' | 'version'
>;
/** What the build puts into the collection image, and how it pushes. */
export type CollectionContent = Pick<
  CollectionImageOptions,
  | 'context'
  | 'ignore'
  | 'baseImages'
  | 'kaapanaSource'
  | 'archives'
  | 'searchDirs'
  | 'missing'
  | 'push'
  | 'skipExisting'
  | 'retry'
>;
export type BaseCollectionInputs = Omit<BaseCollectionUpdateOptions, 'auth' | 'docker' | 'onProgress'>;

export interface Inputs {
  /** The base-collection mode's options when base-collection is given; undefined: the full collection. */
  base: BaseCollectionInputs | undefined;
  /** The full-collection mode: the edit of the collection chart's dependency list, */
  edit: UpdateDependencyOptions;
  /** the collection image it builds (or plans, in a dry run), */
  target: CollectionTarget;
  /** and what goes into that image. */
  content: CollectionContent;
  dryRun: boolean;
  build: boolean;
  push: boolean;
  commit: boolean;
  /** '' → core's `collection: add|bump <name> <version>`. */
  commitMessage: string;
  platformVersion: string;
  /** The registry logged in to with username and password: registry's host, else base-collection's. */
  registryHost: string;
  username: string;
  password: string;
}

/** A path input resolved against the working directory; '' stays ''. */
const path = (input: ActionInputs, name: string): string => (input.string(name) ? resolve(input.string(name)) : '');

/** `o` without its '' and undefined entries: core's options are absent, never empty. */
function given<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== '' && v !== undefined)) as T;
}

export function getInputs(): Inputs {
  const input = actionInputs(import.meta.url);
  const build = input.bool('build');
  const registry = input.string('registry');
  const baseCollection = input.string('base-collection');
  if (build && !registry && !baseCollection)
    throw new KxError('input registry is required when build is true (or give base-collection)');
  const dryRun = input.bool('dry-run');
  const edit: UpdateDependencyOptions = given({
    collectionDir: resolve(input.string('collection-dir')),
    chartDir: path(input, 'chart'),
    name: input.string('chart-name'),
    version: input.string('chart-version'),
    repository: input.string('repository'),
    dryRun,
    displayRoot: process.env.GITHUB_WORKSPACE ?? process.cwd(),
  });
  const platformVersion = input.string('platform-version');
  const target: CollectionTarget = {
    registry: registry ? validateRegistry(registry) : '',
    ...given({
      collectionDir: edit.collectionDir,
      tagStyle: parseTagStyle(input.string('tag-style')),
      abbr: input.string('platform-abbr'),
      platformVersion,
      version: input.string('collection-version'),
    }),
  };
  const content = contentInputs(input);
  return {
    base: baseCollection ? baseInputs(baseCollection, build, edit, target, content) : undefined,
    edit,
    target,
    content,
    dryRun,
    build,
    push: content.push ?? true,
    commit: input.bool('commit'),
    commitMessage: input.string('commit-message'),
    platformVersion,
    registryHost: target.registry
      ? parseImageRef(`${target.registry}/x:1`).registry
      : baseCollection && parseImageRef(baseCollection).registry,
    username: input.string('username'),
    password: input.secret('password'),
  };
}

function contentInputs(input: ActionInputs): CollectionContent {
  const searchDirs = input.list('chart-search-dirs').map((d) => resolve(d));
  return {
    context: resolve(input.string('context')),
    ignore: input.list('ignore'),
    baseImages: input.map('base-images'),
    ...given({ kaapanaSource: path(input, 'kaapana-source') }),
    archives: input.list('charts').map((c) => resolve(c)),
    ...(searchDirs.length ? { searchDirs } : {}),
    missing: input.choice('missing-charts', ['error', 'warn'] as const),
    push: input.bool('push'),
    skipExisting: input.bool('skip-existing'),
    retry: { attempts: input.int('retries', 1) },
  };
}

/** What base-collection mode takes from the other inputs (registry default: the base's repository). */
function baseInputs(
  base: string,
  build: boolean,
  edit: UpdateDependencyOptions,
  target: CollectionTarget,
  content: CollectionContent,
): BaseCollectionInputs {
  return given({
    base,
    registry: target.registry,
    archives: content.archives ?? [],
    chartDir: edit.chartDir,
    searchDirs: content.searchDirs,
    kaapanaSource: content.kaapanaSource,
    platformVersion: target.platformVersion,
    collectionDir: edit.collectionDir,
    name: edit.name,
    version: edit.version,
    repository: edit.repository,
    dryRun: edit.dryRun,
    build,
    displayRoot: edit.displayRoot,
    push: content.push,
    retry: content.retry,
  });
}

// The typed inputs of action-build-images, read once; every default comes from action.yml (read by
// actions-kit's actionInputs), booleans by the runner's rules. What the build plan is made of is
// shaped as core's planExtensionBuild options; the build features (cache, target, secrets, build
// contexts) are parsed here, with an error naming the input. Every secret (password, registry-auth
// passwords, each secrets value) is masked as it is read.
import { resolve } from 'node:path';
import * as core from '@actions/core';
import { actionInputs, parseRegistryAuth, type ActionInputs, type RegistryCredentials } from '@kaapana-ext/actions-kit';
import { KxError } from '@kaapana-ext/core';
import type { ExtensionBuildOptions } from '@kaapana-ext/core/build';
import {
  parseBuildContexts,
  parseCacheEntry,
  parseSecrets,
  parseTagStyle,
  validateRegistry,
  type BuildFeatures,
  type Builder,
} from '@kaapana-ext/core/images';

export interface Inputs {
  /** What the build plan is made of (core's planExtensionBuild). */
  plan: ExtensionBuildOptions;
  referenceLint: 'error' | 'warn' | 'off';
  buildArgs: Record<string, string>;
  parallel: number;
  push: boolean;
  pushPartial: boolean;
  skipExisting: boolean;
  builder: Builder;
  retries: number;
  username: string;
  password: string;
  registryAuth: RegistryCredentials[];
  features: BuildFeatures;
  /** A docker save tar of local-only bases to load first ('' → none). */
  localImages: string;
  /** Where the built local-only bases are saved ('' → not saved). */
  saveLocalImages: string;
  dryRun: boolean;
}

/** A path input resolved against the working directory; '' stays ''. */
const path = (input: ActionInputs, name: string): string => (input.string(name) ? resolve(input.string(name)) : '');

/** Lines of `secrets` (`id=value`, not split at commas); each value is masked before anything can print it. */
function secretLines(input: ActionInputs): string[] {
  const lines = input
    .string('secrets')
    .split(/\r?\n/)
    .filter((s) => s.trim() !== '');
  for (const l of lines) {
    const v = l.slice(l.indexOf('=') + 1);
    if (v) core.setSecret(v);
  }
  return lines.map((l) => l.replace(/^\s+/, ''));
}

function planInputs(input: ActionInputs): ExtensionBuildOptions {
  const registry = input.string('registry');
  if (!registry) throw new KxError('Input required and not supplied: registry');
  return {
    context: resolve(input.string('context')),
    dockerfiles: input.list('dockerfiles'),
    ignore: input.list('ignore'),
    registry: validateRegistry(registry),
    version: input.string('version'),
    imageVersions: input.map('image-versions'),
    chartVersion: input.string('chart-version'),
    kaapanaSource: path(input, 'kaapana-source'),
    kaapanaIgnore: input
      .string('kaapana-ignore-patterns')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    tagStyle: parseTagStyle(input.string('tag-style')),
    platformVersion: input.string('platform-version'),
    abbr: input.string('platform-abbr'),
    baseImages: input.map('base-images'),
    includeIgnored: input.bool('include-ignored'),
    ociLabels: input.bool('oci-labels'),
    labels: input.map('labels'),
    extraTags: input.list('extra-tags'),
  };
}

export function getInputs(): Inputs {
  const input = actionInputs(import.meta.url);
  return {
    plan: planInputs(input),
    referenceLint: input.choice('reference-lint', ['error', 'warn', 'off'] as const),
    buildArgs: input.map('build-args'),
    parallel: input.int('parallel', 1),
    push: input.bool('push'),
    pushPartial: input.bool('push-partial'),
    skipExisting: input.bool('skip-existing'),
    builder: input.choice('builder', ['auto', 'buildx', 'classic'] as const),
    retries: input.int('retries', 1),
    username: input.string('username'),
    password: input.secret('password'),
    registryAuth: parseRegistryAuth(input.string('registry-auth')),
    features: {
      cacheFrom: input.lines('cache-from').map((l) => parseCacheEntry(l, 'cache-from')),
      cacheTo: input.lines('cache-to').map((l) => parseCacheEntry(l, 'cache-to')),
      target: input.string('target'),
      secrets: parseSecrets(secretLines(input)),
      buildContexts: parseBuildContexts(input.lines('build-contexts')),
    },
    localImages: path(input, 'local-images'),
    saveLocalImages: path(input, 'save-local-images'),
    dryRun: input.bool('dry-run'),
  };
}

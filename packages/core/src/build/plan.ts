// The build plan of an extension as build-images makes it, on top of the images engine (images/):
// its Dockerfiles discovered (Kaapana's ignore patterns when the context is a Kaapana checkout),
// versions from the inputs or git (with chart-version, the DAG images tagged as the chart —
// references/), local-only bases from a Kaapana checkout, then OCI labels and extra tags. Also what
// references resolve with for this run (the reference lint's settings) and the `plan` output, which
// package-chart reads back (references/ parseBuiltImages).
import { dagImagesOf } from '../references/index.js';
import type { LintSettings, ReferenceFinding } from '../references/index.js';
import {
  applyMetadata,
  discoverDockerfiles,
  gitVersion,
  kaapanaSource,
  planBuild,
  readGitMetadata,
  type BuildPlan,
  type TagStyle,
} from '../images/index.js';

export interface ExtensionBuildOptions {
  context: string;
  /** Dockerfiles or globs to build (with their local-only bases); empty: every one of the context. */
  dockerfiles: string[];
  ignore: string[];
  /** Kaapana's BUILD_IGNORE_PATTERNS (in kaapana-source, and in a context that is a Kaapana checkout). */
  kaapanaIgnore: string[];
  registry: string;
  /** The version of every image; '' → each Dockerfile's VERSION label, else git describe of the context. */
  version: string;
  imageVersions: Record<string, string>;
  /** The chart version the DAG images are tagged with ('' → their own rule). */
  chartVersion: string;
  /** A Kaapana checkout providing local-only bases the context lacks ('' → none). */
  kaapanaSource: string;
  tagStyle: TagStyle;
  platformVersion: string;
  abbr: string;
  baseImages: Record<string, string>;
  includeIgnored: boolean;
  ociLabels: boolean;
  labels: Record<string, string>;
  extraTags: string[];
}

export interface ExtensionBuildPlan {
  plan: BuildPlan;
  /** The run's default version (version input or git), for KAAPANA_BUILD_VERSION without platform-version. */
  defaultVersion?: string;
}

/** Discovers, versions, plans and decorates the extension's images; `log` gets the decisions worth a line. */
export async function planExtensionBuild(
  opts: ExtensionBuildOptions,
  log: (message: string) => void = () => {},
): Promise<ExtensionBuildPlan> {
  const { skippedDirs, ...found } = await discoverDockerfiles({
    context: opts.context,
    dockerfiles: opts.dockerfiles,
    ignore: opts.ignore,
    kaapanaIgnore: opts.kaapanaIgnore,
  });
  for (const s of skippedDirs) log(`not searched for Dockerfiles: ${s.dir} (${s.reason})`);
  const git = opts.version ? undefined : await gitVersion(opts.context);
  const plan = await planBuild({
    context: opts.context,
    ...found,
    registry: opts.registry,
    versions: {
      overrides: opts.imageVersions,
      ...(opts.chartVersion ? { chartVersion: opts.chartVersion, dagImages: await dagImagesOf(opts.context) } : {}),
      ...(opts.version ? { version: opts.version } : {}),
      ...(git ? { git } : {}),
    },
    ...(opts.kaapanaSource ? { source: await kaapanaSource(opts.kaapanaSource, opts.kaapanaIgnore) } : {}),
    log,
    tagStyle: opts.tagStyle,
    platformVersion: opts.platformVersion,
    abbr: opts.abbr,
    baseImages: opts.baseImages,
    includeIgnored: opts.includeIgnored,
  });
  const defaultVersion = opts.version || git?.version;
  const decorated = applyMetadata(plan, {
    ociLabels: opts.ociLabels,
    labels: opts.labels,
    extraTags: opts.extraTags,
    meta: await readGitMetadata(opts.context),
  });
  return { plan: decorated, ...(defaultVersion ? { defaultVersion } : {}) };
}

/** What references resolve with in this run: the reference lint's settings, also in the plan output. */
export function buildLintSettings(opts: ExtensionBuildOptions, planned: ExtensionBuildPlan): LintSettings {
  return {
    registry: opts.registry,
    tagStyle: opts.tagStyle,
    ...(opts.platformVersion ? { platformVersion: opts.platformVersion } : {}),
    ...(planned.defaultVersion ? { buildVersion: planned.defaultVersion } : {}),
    abbr: opts.abbr,
    ...(opts.chartVersion ? { chartVersion: opts.chartVersion } : {}),
  };
}

/** The `plan` output: the images (without local paths), bases, skips, duplicates, findings and settings. */
export function planOutput(plan: BuildPlan, findings: ReferenceFinding[], settings: LintSettings): string {
  return JSON.stringify({
    images: plan.images.map(({ dockerfilePath: _p, contextDir: _c, ...rest }) => rest),
    baseImages: plan.baseImages,
    skipped: plan.skipped,
    duplicates: plan.duplicates,
    findings,
    settings,
  });
}

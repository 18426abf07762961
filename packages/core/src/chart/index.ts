// Public API of the chart engine: a helm-3-compatible loader, validator, packager, dependency
// updater (file://, http(s)://, oci://, Kaapana name-only via search paths) and OCI push/pull.
export * from './model.js';
export {
  loadDir,
  loadArchive,
  loadArchiveFiles,
  loadChart,
  loadFiles,
  isGzip,
  MAX_FILE_SIZE,
  MAX_CHART_SIZE,
} from './load.js';
export {
  parseMetadata,
  parseLock,
  serializeMetadata,
  serializeLock,
  formatFloat32,
  type LineIndex,
} from './chartfile.js';
export { validateMetadata, sanitizeString } from './validate.js';
export { IgnoreRules, HELMIGNORE, goGlobToRegExp } from './ignore.js';
export {
  archiveEntries,
  defaultMtime,
  writeChartArchive,
  helmGzip,
  tarEntries,
  type ArchiveOptions,
  type ArchiveEntry,
} from './archive.js';
export { lockDigest, legacyLockDigest, lockFileName, rfc3339Nano } from './lock.js';
export {
  parseChartVersion,
  isChartSemver,
  compareChartVersions,
  parseConstraint,
  satisfiesConstraint,
  normalisedVersion,
  type ChartSemver,
  type ChartConstraint,
} from './semver.js';
export {
  parseRepoIndex,
  fetchRepoIndex,
  findInIndex,
  resolveChartUrl,
  type RepoIndex,
  type IndexEntry,
} from './repo-index.js';
export {
  updateDependencies,
  withOwnDependencies,
  type UpdateDependenciesOptions,
  type UpdateDependenciesResult,
  type ResolvedDependency,
} from './dependency-update.js';
export { chartDirsBelow, findChartsByName, resolveChartDirs, CHART_WALK_SKIP } from './discover.js';
export {
  packageChart,
  checkDependencies,
  checkDependenciesDeep,
  type PackageOptions,
  type PackageResult,
} from './package.js';
export {
  pushChart,
  pullChart,
  listChartVersions,
  parseOciUrl,
  ociAnnotations,
  ociTag,
  OCI_MANIFEST_MEDIA_TYPE,
  HELM_CONFIG_MEDIA_TYPE,
  HELM_CHART_LAYER_MEDIA_TYPE,
  type PushOptions,
  type PushResult,
  type PulledChart,
  type OciAuth,
} from './oci.js';
export { lintKaapanaChart, isWorkflowChart, type LintFinding, type KaapanaLintOptions } from './lint.js';
export { marshalGoYaml } from './yaml-v2-writer.js';

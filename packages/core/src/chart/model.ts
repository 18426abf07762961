// The in-memory chart model, shaped like helm's `pkg/chart`: metadata (Chart.yaml), dependencies,
// the lock, and the files of a chart split the way helm's loader splits them. Pure types plus tiny
// accessors; loading, validation and writing live in their own modules.

/** A maintainer entry of Chart.yaml. */
export interface Maintainer {
  name?: string;
  email?: string;
  url?: string;
}

/** One dependency (Chart.yaml `dependencies:`, requirements.yaml, or a lock entry). */
export interface Dependency {
  name: string;
  version?: string;
  repository: string;
  condition?: string;
  tags?: string[];
  enabled?: boolean;
  'import-values'?: unknown[];
  alias?: string;
}

/** Chart.yaml as helm models it: only these fields survive a load/save round trip. */
export interface Metadata {
  name?: string;
  home?: string;
  sources?: string[];
  version?: string;
  description?: string;
  keywords?: string[];
  maintainers?: (Maintainer | null)[];
  icon?: string;
  apiVersion?: string;
  condition?: string;
  tags?: string;
  appVersion?: string;
  deprecated?: boolean;
  annotations?: Record<string, string>;
  kubeVersion?: string;
  dependencies?: (Dependency | null)[];
  type?: string;
}

/** Chart.lock / requirements.lock. `generated` is kept as the RFC 3339 text it was written with. */
export interface Lock {
  generated: string;
  digest: string;
  dependencies: Dependency[];
}

/** A file of a chart, path relative to the chart root with `/` separators. */
export interface ChartFile {
  name: string;
  data: Buffer;
}

export interface Chart {
  metadata: Metadata;
  lock?: Lock;
  /** Raw bytes of values.yaml when present (written back verbatim). */
  values?: Buffer;
  /** Raw bytes of values.schema.json when present. */
  schema?: Buffer;
  templates: ChartFile[];
  /** Every other file helm keeps (README, requirements.yaml of v1 charts, charts/*.prov, ...). */
  files: ChartFile[];
  /** Loaded subcharts (from charts/<dir> and charts/*.tgz), sorted by name for determinism. */
  dependencies: Chart[];
  /** Every file as loaded, in load order (helm's `Raw`). */
  raw: ChartFile[];
  /** Where the chart came from, for error messages: a directory or an archive path. */
  source?: string;
  /** The file the dependencies were read from (Chart.yaml or requirements.yaml) and their lines. */
  dependencyFile?: { file: string; lines: Map<string, number> };
}

export const APIVersionV1 = 'v1';
export const APIVersionV2 = 'v2';

export function chartName(c: Chart): string {
  return c.metadata.name ?? '';
}

export function chartVersion(c: Chart): string {
  return c.metadata.version ?? '';
}

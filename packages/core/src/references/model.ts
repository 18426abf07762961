// The shapes the reference lint works with: a finding (error or warning with file and line), a wanted
// reference (an image the platform will pull, with where it is written), the images a run builds (as
// build-images' plan or images output lists them) and the Kaapana variables references resolve with.
import type { TagStyle } from '../images/index.js';

export interface ReferenceFinding {
  level: 'error' | 'warning';
  message: string;
  file: string;
  line?: number;
}

/** An image reference the platform will pull, and where the extension writes it. */
export interface Want {
  ref: string;
  file: string;
  line?: number;
  what: string;
}

/** What one phase of the lint found: references to check, and findings already made. */
export interface Collected {
  wants: Want[];
  findings: ReferenceFinding[];
}

/** An image this run builds, as build-images' plan (or its images output) lists it. */
export interface BuiltImage {
  name: string;
  /** Main reference `<registry>/<name>:<tag>`. */
  ref: string;
  tag: string;
  /** Every full reference the image is tagged with (the main one first); default [ref]. */
  tags?: string[];
  localOnly?: boolean;
  /** The version rule that gave the tag (build-images' plan); absent in the images output. */
  versionRule?: string;
}

/** The values Kaapana's variables and the DAG image's tag resolve with. */
export interface LintSettings {
  /** The registry the run pushes to; stands for the platform's DEFAULT_REGISTRY. Undefined: unknown. */
  registry?: string;
  tagStyle: TagStyle;
  /** The platform's version: KAAPANA_BUILD_VERSION (0.6.0), default_platform_version (0.1.x). */
  platformVersion?: string;
  /** The run's default version, used for KAAPANA_BUILD_VERSION when platformVersion is empty. */
  buildVersion?: string;
  abbr?: string;
  /** Version the workflow charts are packaged with (package-chart's `version`); default Chart.yaml's. */
  chartVersion?: string;
}

/** Asks the registry whether a reference exists; undefined = could not ask. */
export type ExistsLookup = (ref: string) => Promise<boolean | undefined>;

/** `file` and, when known, `line` of a finding about `w`. */
export function at(w: { file: string; line?: number | undefined }): { file: string; line?: number } {
  return { file: w.file, ...(w.line ? { line: w.line } : {}) };
}

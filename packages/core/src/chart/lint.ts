// Checks Kaapana relies on beyond helm's validation (warnings, not errors): a workflow chart (keyword
// `kaapanaworkflow`) lists `dag-installer-chart` as its first dependency, and its values name the DAG
// image in `global.image`, which should be one of the images the extension builds.
import { parse } from 'yaml';
import type { Chart } from './model.js';

export interface LintFinding {
  level: 'warning';
  message: string;
  file?: string;
}

export interface KaapanaLintOptions {
  /** Image names the extension builds (LABEL IMAGE=); when given, `global.image` must be one of them. */
  images?: string[];
}

export function isWorkflowChart(chart: Chart): boolean {
  return (chart.metadata.keywords ?? []).includes('kaapanaworkflow');
}

export function lintKaapanaChart(chart: Chart, opts: KaapanaLintOptions = {}): LintFinding[] {
  const out: LintFinding[] = [];
  const src = chart.source ?? '.';
  if (!isWorkflowChart(chart)) return out;
  const first = chart.metadata.dependencies?.[0];
  if (!first || first.name !== 'dag-installer-chart') {
    out.push({
      level: 'warning',
      message: `workflow chart ${chart.metadata.name}: the first dependency should be dag-installer-chart (found ${first ? first.name : 'none'})`,
      file: chart.dependencyFile?.file ?? `${src}/Chart.yaml`,
    });
  }
  let image: unknown;
  try {
    const values = chart.values
      ? (parse(chart.values.toString('utf8'), { version: '1.1' }) as { global?: { image?: unknown } } | null)
      : null;
    image = values?.global?.image;
  } catch {
    image = undefined;
  }
  if (typeof image !== 'string' || image === '') {
    out.push({
      level: 'warning',
      message: `workflow chart ${chart.metadata.name}: values.yaml has no global.image (the DAG image)`,
      file: `${src}/values.yaml`,
    });
  } else if (opts.images && opts.images.length > 0 && !opts.images.includes(image)) {
    out.push({
      level: 'warning',
      message: `workflow chart ${chart.metadata.name}: global.image "${image}" is not an image of this extension (${opts.images.join(', ')})`,
      file: `${src}/values.yaml`,
    });
  }
  return out;
}

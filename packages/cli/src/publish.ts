// `kaapana-ext publish`: the actions in a row, as the reusable workflow runs them — build and
// push the images, package the chart, update and push the collection, optionally restart; or, with
// --install-extension, deliver the packaged chart to a running platform instead. Options
// are the union of the actions' inputs (routing.ts: `--<input>` reaches the steps where it means
// the same thing, `--<step>.<input>` one step); outputs of earlier steps feed later ones where the user gave no
// value (the packaged chart archives → update-collection / install-extension; update-collection's
// expect-charts → restart-pod, whose reload must then list that chart). Stops at the first failed step.
import { KxError } from '@kaapana-ext/core';
import type { ActionMetadata } from './action-metadata.js';
import type { ActionCommand } from './action-catalog.js';
import type { ExtraSwitch } from './options.js';
import type { ActionRun } from './run-action.js';

export const PUBLISH_SWITCHES: ExtraSwitch[] = [
  { name: 'restart', description: 'also run restart-pod after the collection was pushed', boolean: true },
  {
    name: 'install-extension',
    description:
      'deliver the packaged chart to a running platform with install-extension instead of the collection route (runs build-images, package-chart, install-extension)',
    boolean: true,
  },
  {
    name: 'steps',
    description:
      'comma-separated steps to run, in this order: build-images, package-chart, update-collection, restart-pod, install-extension (default: the first three, plus restart-pod with --restart)',
    boolean: false,
  },
];

export const PUBLISH_ORDER: ActionCommand[] = [
  'build-images',
  'package-chart',
  'update-collection',
  'restart-pod',
  'install-extension',
];

export function selectSteps(extra: Record<string, string>): ActionCommand[] {
  if (extra.steps) {
    const wanted = extra.steps
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const w of wanted) {
      if (!(PUBLISH_ORDER as string[]).includes(w)) {
        throw new KxError(`--steps: unknown step "${w}" (steps: ${PUBLISH_ORDER.join(', ')})`);
      }
    }
    return PUBLISH_ORDER.filter((s) => wanted.includes(s));
  }
  if (extra['install-extension'] === 'true') {
    if (extra.restart === 'true')
      throw new KxError('--install-extension and --restart are two different routes: choose one');
    return ['build-images', 'package-chart', 'install-extension'];
  }
  const steps: ActionCommand[] = PUBLISH_ORDER.filter((s) => s !== 'restart-pod' && s !== 'install-extension');
  if (extra.restart === 'true') steps.push('restart-pod');
  return steps;
}

function firstDeclared(meta: ActionMetadata, names: string[]): string | undefined {
  return names.find((n) => meta.inputs.some((i) => i.name === n));
}

interface PackagedChart {
  name?: string;
  version?: string;
  path?: string;
  dryRun?: boolean;
}

function parsePackages(run: ActionRun | undefined): PackagedChart[] {
  const raw = run?.outputs.packages;
  if (!raw) return [];
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) ? (v as PackagedChart[]) : [];
  } catch {
    return [];
  }
}

/**
 * Inputs a step takes from earlier steps' outputs, for inputs the user left unset.
 * Only inputs the step actually declares are filled.
 */
export function wiredInputs(
  step: ActionCommand,
  meta: ActionMetadata,
  given: Map<string, string>,
  previous: Map<ActionCommand, ActionRun>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (candidates: string[], value: string | undefined) => {
    const name = firstDeclared(meta, candidates);
    if (name && value !== undefined && value !== '' && !given.has(name)) out[name] = value;
  };
  const packages = parsePackages(previous.get('package-chart'));
  // A dry run of package-chart names archives it did not write: nothing to hand over.
  const archives = packages
    .filter((p) => !p.dryRun)
    .map((p) => p.path)
    .filter(Boolean)
    .join('\n');
  if (step === 'install-extension') set(['chart'], archives);
  // package-chart's reference lint checks the chart's images against what build-images planned.
  if (step === 'package-chart') set(['images'], previous.get('build-images')?.outputs.plan);
  if (step === 'update-collection') {
    const workflow = packages[0];
    set(['charts', 'chart-archives', 'packages', 'extension-charts'], archives);
    set(['extension', 'name', 'extension-name', 'chart-name'], workflow?.name);
    set(['extension-version', 'chart-version'], workflow?.version);
  }
  if (step === 'restart-pod') {
    // The reload is verified against the chart the collection step added or bumped.
    set(['expect-charts'], previous.get('update-collection')?.outputs['expect-charts']);
  }
  return out;
}

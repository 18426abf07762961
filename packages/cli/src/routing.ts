// Which steps an option of the command line reaches. `--<step>.<input>` reaches that step only.
// `--<input>` reaches the selected steps that declare the input where it means the same thing:
// where steps give one input name different meanings (MEANINGS: `context` is a directory in
// build-images but a kubeconfig context in restart-pod), it reaches the first group only, and the
// other steps take it only in the scoped form (`--restart-pod.context`) — or, for a name with no
// usual meaning (`version`), the unscoped form is refused. An input that is a boolean in some steps
// and not in others is routed by its value: `--push oci://…` reaches package-chart (OCI location),
// `--push`/`--no-push` the boolean push of the others, and `--no-push` also empties package-chart's.
import { KxError } from '@kaapana-ext/core';
import { isBooleanInput, type GivenOption, type OptionTarget } from './options.js';

export interface Meaning {
  /** Steps that share one meaning, the usual meaning first. */
  groups: string[][];
  /** The unscoped option reaches the first group; false: it is refused when two groups are selected. */
  usual: boolean;
  /** The meanings, for messages. */
  why: string;
}

/** Inputs declared by several publish steps with different meanings. */
export const MEANINGS: Record<string, Meaning> = {
  context: {
    groups: [['build-images', 'update-collection'], ['restart-pod']],
    usual: true,
    why: 'a directory of Dockerfiles; in restart-pod the kubeconfig context',
  },
  retries: {
    groups: [['build-images', 'update-collection'], ['restart-pod']],
    usual: true,
    why: 'push attempts; in restart-pod attempts per kubectl call',
  },
  charts: {
    groups: [['package-chart'], ['update-collection']],
    usual: true,
    why: 'chart directories; in update-collection chart archives (handed over from package-chart)',
  },
  chart: {
    groups: [['package-chart', 'update-collection'], ['install-extension']],
    usual: true,
    why: 'the chart directory; in install-extension chart archives (handed over from package-chart)',
  },
  version: {
    groups: [['build-images'], ['package-chart']],
    usual: false,
    why: 'the image version in build-images, the chart version in package-chart',
  },
  images: {
    groups: [['install-extension'], ['package-chart']],
    usual: true,
    why: "images to deliver in install-extension; in package-chart build-images' plan for the reference lint (handed over from build-images)",
  },
  namespace: {
    groups: [['restart-pod'], ['install-extension']],
    usual: false,
    why: "restart-pod's namespace of its strategy, install-extension's of kube-helm-service",
  },
};

/** Inputs several publish steps declare with one meaning (a test keeps this list complete). */
export const SAME_MEANING = [
  'ignore',
  'registry',
  'chart-version',
  'kaapana-source',
  'tag-style',
  'reference-lint',
  'platform-version',
  'platform-abbr',
  'base-images',
  'push',
  'skip-existing',
  'username',
  'password',
  'dry-run',
  'service',
  'kubeconfig',
  'timeout',
];

export interface Routed {
  /** step → input → value (repeated options joined with newlines). */
  given: Map<string, Map<string, string>>;
  /** Lines for the user about options that were routed to some steps only. */
  notes: string[];
}

function inputOf(targets: OptionTarget[], step: string, name: string) {
  return targets.find((t) => t.step === step)?.meta.inputs.find((i) => i.name === name);
}

/** `--push`-like inputs: true/false to the boolean declarations, anything else to the others. */
function byValue(o: GivenOption, steps: string[], targets: OptionTarget[]): [string, string][] {
  const bool = (s: string) => isBooleanInput(inputOf(targets, s, o.name)!);
  if (o.value === 'true' || o.value === 'false') {
    return steps.flatMap((s): [string, string][] => (bool(s) ? [[s, o.value]] : o.value === 'false' ? [[s, '']] : []));
  }
  const to = steps.filter((s) => !bool(s));
  if (to.length === 0) throw new KxError(`--${o.name} "${o.value}": ${steps.join(', ')} take true or false here`);
  return to.map((s) => [s, o.value]);
}

/** The steps (and values) an unscoped option reaches among the selected steps. */
function routeUnscoped(
  o: GivenOption,
  selected: string[],
  targets: OptionTarget[],
  notes: string[],
): [string, string][] {
  const steps = selected.filter((s) => inputOf(targets, s, o.name));
  if (steps.length === 0) {
    notes.push(`--${o.name} is not an option of the selected steps (${selected.join(', ')}): ignored`);
    return [];
  }
  const kinds = new Set(steps.map((s) => isBooleanInput(inputOf(targets, s, o.name)!)));
  if (kinds.size > 1) return byValue(o, steps, targets);
  const m = MEANINGS[o.name];
  const groups = (m?.groups ?? [steps]).map((g) => g.filter((s) => steps.includes(s))).filter((g) => g.length > 0);
  if (groups.length <= 1) return (groups[0] ?? steps).map((s) => [s, o.value]);
  const others = groups.slice(1).flat();
  if (!m!.usual) {
    throw new KxError(`--${o.name} is ${m!.why}: give --${steps.join(`.${o.name}, --`)}.${o.name} instead`);
  }
  notes.push(
    `--${o.name} goes to ${groups[0]!.join(', ')} (${m!.why}): use --${others.join(`.${o.name}, --`)}.${o.name} for that`,
  );
  return groups[0]!.map((s) => [s, o.value]);
}

/**
 * Phase 2: the parsed options of a command given to the steps that run. A scoped option wins over
 * the unscoped one for its step (`--context . --build-images.context ext`); repeats are joined.
 */
export function routeOptions(options: GivenOption[], targets: OptionTarget[], selected: string[]): Routed {
  const given = new Map<string, Map<string, string>>(targets.map((t) => [t.step, new Map()]));
  const notes: string[] = [];
  const scoped = new Set(options.filter((o) => o.scope).map((o) => `${o.scope}\0${o.name}`));
  for (const o of options) {
    const to: [string, string][] = o.scope ? [[o.scope, o.value]] : routeUnscoped(o, selected, targets, notes);
    for (const [step, value] of to) {
      if (!o.scope && scoped.has(`${step}\0${o.name}`)) continue;
      const m = given.get(step)!;
      const prev = m.get(o.name);
      m.set(o.name, prev === undefined ? value : `${prev}\n${value}`);
    }
  }
  return { given, notes: [...new Set(notes)] };
}

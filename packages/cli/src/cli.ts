// The `kaapana-ext` command: dispatches to one action (build-images, package-chart,
// update-collection, restart-pod) or to publish, and maps failures to exit codes: 0 ok,
// 1 a step failed, 2 bad usage or metadata. Everything a command accepts comes from action.yml.
import { readFile } from 'node:fs/promises';
import { isKxError, errorMessage, writeFileAtomic } from '@kaapana-ext/core';
import { redactUrls } from '@kaapana-ext/core/secrets';
import { ACTION_COMMANDS, actionDir, isActionCommand, type ActionCommand } from './action-catalog.js';
import { loadActionMetadata, type ActionMetadata } from './action-metadata.js';
import { commandHelp } from './help.js';
import { effectiveInputs, globalSwitches, parseOptions, type CliFlags, type OptionTarget } from './options.js';
import { routeOptions } from './routing.js';
import { PUBLISH_ORDER, PUBLISH_SWITCHES, selectSteps, wiredInputs } from './publish.js';
import { renderRun, runToJson } from './report.js';
import { runAction, type ActionRun } from './run-action.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  readStdin: () => Promise<string>;
}

export function defaultIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function mainHelp(): string {
  return [
    'Usage: kaapana-ext <command> [options]',
    '',
    'Publish Kaapana workflow extensions from any CI or your machine, with the same options as',
    'the kaapana-ext GitHub Actions (each command runs its action exactly as a runner does).',
    '',
    'Commands:',
    '  build-images       build and push every image of an extension (Kaapana labels, local-only bases)',
    '  package-chart      update dependencies and package the workflow chart like helm',
    '  update-collection  add/bump the extension in the collection chart; build and push its image',
    '  restart-pod        make a running platform pick up the new collection',
    '  install-extension  deliver the chart (and images) to a running platform and install it',
    '  publish            all of the above in a row',
    '',
    'Run `kaapana-ext <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

async function loadStep(step: ActionCommand, env: NodeJS.ProcessEnv): Promise<OptionTarget> {
  return { step, meta: await loadActionMetadata(actionDir(step, env)) };
}

function publishHelp(targets: OptionTarget[]): string {
  const lines = [
    'Usage: kaapana-ext publish [options]',
    '',
    'Publishes an extension end to end: ' +
      PUBLISH_ORDER.join(' → ') +
      ' (restart-pod only with --restart; --install-extension: build-images → package-chart → install-extension).',
    'An option --<input> goes to every selected step where that input means the same thing;',
    '--<step>.<input> to one step only (e.g. --package-chart.version 0.1.0, --restart-pod.context kind).',
    '--context, --retries, --chart(s) reach the steps of their usual meaning (a note names the others);',
    '--version and --namespace need the --<step>. form. --dry-run reaches every step; --no-push turns',
    "off every push; --push oci://... is package-chart's chart push. The packaged chart archives are",
    'handed to update-collection / install-extension unless you name them yourself.',
    '',
    'Steps and their options:',
  ];
  for (const t of targets) {
    lines.push(`  ${t.step}:`);
    for (const i of t.meta.inputs) {
      const def =
        i.default !== undefined && i.default !== '' ? ` (default: ${i.default.trim().replace(/\n/g, '\\n')})` : '';
      lines.push(`    --${i.name}${i.required ? ' [required]' : ''}${def}`);
    }
  }
  lines.push('', 'CLI switches:');
  for (const s of [...PUBLISH_SWITCHES, ...globalSwitches()])
    lines.push(`  --${s.name}${s.boolean ? '' : ' <value>'}  ${s.description}`);
  lines.push('', 'Run `kaapana-ext <step> --help` for the description of each option.', '');
  return lines.join('\n');
}

interface Plan {
  isPublish: boolean;
  targets: OptionTarget[];
  selected: ActionCommand[];
  given: Map<string, Map<string, string>>;
  flags: CliFlags;
  log: NodeJS.WritableStream;
}

/** Loads the steps' action.yml, parses and routes the options; undefined when help was printed. */
async function planSteps(command: string, argv: string[], io: CliIo): Promise<Plan | undefined> {
  const isPublish = command === 'publish';
  const stepNames: ActionCommand[] = isPublish ? PUBLISH_ORDER : [command as ActionCommand];
  const targets = await Promise.all(stepNames.map((s) => loadStep(s, io.env)));
  const extraSwitches = isPublish ? PUBLISH_SWITCHES : [];
  const { options, flags } = await parseOptions(argv, { targets, extraSwitches, readStdin: io.readStdin });
  if (flags.help) {
    io.stdout.write(isPublish ? publishHelp(targets) : commandHelp(command, targets[0]!.meta, extraSwitches));
    return undefined;
  }
  const selected = isPublish ? selectSteps(flags.extra) : stepNames;
  const { given, notes } = routeOptions(options, targets, selected);
  const log = flags.json ? io.stderr : io.stdout;
  for (const n of notes) log.write(`note: ${n}\n`);
  return { isPublish, targets, selected, given, flags, log };
}

/** Runs the selected steps in order, stopping at the first failure. */
async function runPlan(plan: Plan, io: CliIo): Promise<Map<ActionCommand, ActionRun>> {
  const runs = new Map<ActionCommand, ActionRun>();
  const ctx = { cwd: io.cwd, runnerTemp: '', env: io.env };
  for (const step of plan.selected) {
    const meta: ActionMetadata = plan.targets.find((t) => t.step === step)!.meta;
    const given = plan.given.get(step) ?? new Map<string, string>();
    const inputs = { ...effectiveInputs(meta, given, ctx), ...wiredInputs(step, meta, given, runs) };
    const run = await runAction({
      meta,
      inputs,
      label: step,
      cwd: io.cwd,
      env: io.env,
      log: plan.log,
      verbose: plan.flags.verbose,
    });
    runs.set(step, run);
    if (!plan.flags.json) plan.log.write(renderRun(run));
    if (!run.ok) break;
  }
  return runs;
}

async function runSteps(command: string, argv: string[], io: CliIo): Promise<number> {
  const plan = await planSteps(command, argv, io);
  if (!plan) return 0;
  const runs = await runPlan(plan, io);
  const all = [...runs.values()];
  const ok = all.every((r) => r.ok);
  if (plan.flags.summaryFile) await writeFileAtomic(plan.flags.summaryFile, all.map((r) => r.summary).join('\n'));
  if (plan.flags.json) {
    const json = plan.isPublish ? { ok, steps: all.map(runToJson) } : runToJson(all[0]!);
    io.stdout.write(JSON.stringify(json, null, 2) + '\n');
  } else if (plan.isPublish) {
    plan.log.write('\nPublish summary:\n');
    for (const r of all)
      plan.log.write(`  ${r.ok ? '✓' : '✗'} ${r.step.padEnd(18)} ${(r.durationMs / 1000).toFixed(1).padStart(7)}s\n`);
    for (const s of plan.selected.filter((s) => !runs.has(s))) plan.log.write(`  - ${s.padEnd(18)} not run\n`);
  }
  return ok ? 0 : 1;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(mainHelp());
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-V') {
      io.stdout.write(`${await packageVersion()}\n`);
      return 0;
    }
    if (command === 'publish' || isActionCommand(command)) return await runSteps(command, rest, io);
    io.stderr.write(
      `kaapana-ext: unknown command "${command}"; commands: ${[...ACTION_COMMANDS, 'publish'].join(', ')}\n`,
    );
    return 2;
  } catch (e) {
    if (isKxError(e)) {
      io.stderr.write(`kaapana-ext: ${errorMessage(e)}\n`);
      return 2;
    }
    io.stderr.write(
      `kaapana-ext: internal error: ${redactUrls(e instanceof Error ? (e.stack ?? e.message) : String(e))}\n`,
    );
    return 2;
  }
}

// The `kaapana-ext` command: dispatches to one action (build-images, package-chart,
// update-collection, restart-pod) or to publish, and maps failures to exit codes: 0 ok,
// 1 a step failed, 2 bad usage or metadata. Everything a command accepts comes from action.yml.
import { readFile } from 'node:fs/promises';
import { isKxError, errorMessage, writeFileAtomic } from '@kaapana-ext/core';
import { redactUrls } from '@kaapana-ext/core/secrets';
import { ACTION_COMMANDS, actionDir, isActionCommand, type ActionCommand } from './action-catalog.js';
import { loadActionMetadata, type ActionMetadata } from './action-metadata.js';
import { commandHelp } from './help.js';
import { effectiveInputs, globalSwitches, parseOptions, type OptionTarget } from './options.js';
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
    'Publishes an extension end to end: ' + PUBLISH_ORDER.join(' → ') + ' (restart-pod only with --restart; --install-extension: build-images → package-chart → install-extension).',
    'An option --<input> goes to every step that declares that input; --<step>.<input> to one',
    'step only (e.g. --package-chart.version 0.1.0). The packaged chart archives are handed to',
    'update-collection unless you name them yourself.',
    '',
    'Steps and their options:',
  ];
  for (const t of targets) {
    lines.push(`  ${t.step}:`);
    for (const i of t.meta.inputs) {
      const def = i.default !== undefined && i.default !== '' ? ` (default: ${i.default.trim().replace(/\n/g, '\\n')})` : '';
      lines.push(`    --${i.name}${i.required ? ' [required]' : ''}${def}`);
    }
  }
  lines.push('', 'CLI switches:');
  for (const s of [...PUBLISH_SWITCHES, ...globalSwitches()]) lines.push(`  --${s.name}${s.boolean ? '' : ' <value>'}  ${s.description}`);
  lines.push('', 'Run `kaapana-ext <step> --help` for the description of each option.', '');
  return lines.join('\n');
}

async function runSteps(
  command: string,
  argv: string[],
  io: CliIo,
): Promise<number> {
  const isPublish = command === 'publish';
  const stepNames: ActionCommand[] = isPublish ? PUBLISH_ORDER : [command as ActionCommand];
  const targets = await Promise.all(stepNames.map((s) => loadStep(s, io.env)));
  const extraSwitches = isPublish ? PUBLISH_SWITCHES : [];
  const parsed = await parseOptions(argv, { targets, extraSwitches, readStdin: io.readStdin });
  if (parsed.flags.help) {
    io.stdout.write(isPublish ? publishHelp(targets) : commandHelp(command, targets[0]!.meta, extraSwitches));
    return 0;
  }
  const selected = isPublish ? selectSteps(parsed.flags.extra) : stepNames;
  const log = parsed.flags.json ? io.stderr : io.stdout;
  if (isPublish) {
    for (const x of parsed.shared) {
      const steps = x.steps.filter((s) => selected.includes(s as ActionCommand));
      if (steps.length > 1) log.write(`note: --${x.input} goes to ${steps.join(', ')} (use --<step>.${x.input} for one step)\n`);
    }
  }
  const runs = new Map<ActionCommand, ActionRun>();
  const ctx = { cwd: io.cwd, runnerTemp: '', env: io.env };
  let ok = true;
  for (const step of selected) {
    const target = targets.find((t) => t.step === step)!;
    const given = parsed.given.get(step) ?? new Map<string, string>();
    const meta: ActionMetadata = target.meta;
    const inputs = { ...effectiveInputs(meta, given, ctx), ...wiredInputs(step, meta, given, runs) };
    const run = await runAction({ meta, inputs, label: step, cwd: io.cwd, env: io.env, log, verbose: parsed.flags.verbose });
    runs.set(step, run);
    if (!parsed.flags.json) log.write(renderRun(run));
    if (!run.ok) {
      ok = false;
      break;
    }
  }
  const all = [...runs.values()];
  if (parsed.flags.summaryFile) {
    await writeFileAtomic(parsed.flags.summaryFile, all.map((r) => r.summary).join('\n'));
  }
  if (parsed.flags.json) {
    const json = isPublish ? { ok, steps: all.map(runToJson) } : runToJson(all[0]!);
    io.stdout.write(JSON.stringify(json, null, 2) + '\n');
  } else if (isPublish) {
    log.write('\nPublish summary:\n');
    for (const r of all) log.write(`  ${r.ok ? '✓' : '✗'} ${r.step.padEnd(18)} ${(r.durationMs / 1000).toFixed(1).padStart(7)}s\n`);
    for (const s of selected.filter((s) => !runs.has(s))) log.write(`  - ${s.padEnd(18)} not run\n`);
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
    io.stderr.write(`kaapana-ext: unknown command "${command}"; commands: ${[...ACTION_COMMANDS, 'publish'].join(', ')}\n`);
    return 2;
  } catch (e) {
    if (isKxError(e)) {
      io.stderr.write(`kaapana-ext: ${errorMessage(e)}\n`);
      return 2;
    }
    io.stderr.write(`kaapana-ext: internal error: ${redactUrls(e instanceof Error ? (e.stack ?? e.message) : String(e))}\n`);
    return 2;
  }
}

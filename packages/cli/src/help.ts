// `--help` text, rendered from action.yml so it can never disagree with what the action accepts.
import { basename } from 'node:path';
import type { ActionMetadata } from './action-metadata.js';
import { envNameFor, globalSwitches, isBooleanInput, type ExtraSwitch } from './options.js';

function wrap(text: string, width: number, indent: string): string {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else {
      line = line ? `${line} ${w}` : w;
    }
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : indent + l)).join('\n');
}

function describeDefault(def: string | undefined): string {
  if (def === undefined || def === '') return '';
  const oneLine = def.includes('\n') ? def.trim().replace(/\n/g, '\\n') : def;
  return ` (default: ${oneLine})`;
}

export function commandHelp(command: string, meta: ActionMetadata, extra: ExtraSwitch[] = []): string {
  const out: string[] = [];
  out.push(`Usage: kaapana-ext ${command} [options]`, '', wrap(meta.description, 78, ''), '');
  out.push(
    wrap(`Runs the action "${meta.name}" (${basename(meta.dir)}/) exactly as a GitHub runner does.`, 78, ''),
    '',
    'Options (action inputs):',
  );
  for (const input of meta.inputs) {
    const flag = isBooleanInput(input) ? `--[no-]${input.name}` : `--${input.name} <value>`;
    const req = input.required ? ' [required]' : '';
    out.push(`  ${flag}${req}`);
    out.push(`      ${wrap(input.description + describeDefault(input.default), 72, '      ')}`);
  }
  out.push('', 'Every input can also be given as --<input>-stdin (read from stdin) or as the');
  out.push(`environment variable KAAPANA_EXT_<INPUT> (e.g. ${envNameFor('password')}). Repeat an option for`);
  out.push('multi-line inputs.', '');
  if (meta.outputs.length > 0) {
    out.push('Outputs:');
    for (const o of meta.outputs) out.push(`  ${o.name}`, `      ${wrap(o.description, 72, '      ')}`);
    out.push('');
  }
  out.push('CLI switches:');
  for (const s of [...extra, ...globalSwitches()]) {
    out.push(`  --${s.name}${s.boolean ? '' : ' <value>'}`, `      ${wrap(s.description, 72, '      ')}`);
  }
  return out.join('\n') + '\n';
}

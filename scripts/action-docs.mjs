#!/usr/bin/env node
// Renders the input and output tables of each action's README.md from its action.yml (the one
// source of truth), between `<!-- action-docs:inputs -->` / `<!-- action-docs:outputs -->` and the
// matching `<!-- /action-docs -->` markers.  `--check` fails when a README is out of date.
// Both modes fail when an action's `description` is longer than the 125 characters GitHub's
// Marketplace shows (details belong in the inputs' descriptions and the README).
//   node scripts/action-docs.mjs [--check]
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '..');
const check = process.argv.includes('--check');
const MAX_DESCRIPTION = 125;
const esc = (s) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim();

function table(kind, entries) {
  if (kind === 'inputs') {
    const rows = Object.entries(entries ?? {}).map(
      ([name, i]) =>
        `| \`${name}\` | ${i.required ? 'yes' : 'no'} | ${i.default !== undefined && i.default !== '' ? `\`${esc(i.default)}\`` : ''} | ${esc(i.description)} |`,
    );
    return ['| input | required | default | description |', '| --- | --- | --- | --- |', ...rows].join('\n');
  }
  const rows = Object.entries(entries ?? {}).map(([name, o]) => `| \`${name}\` | ${esc(o.description)} |`);
  return ['| output | description |', '| --- | --- |', ...rows].join('\n');
}

let stale = 0;
for (const dir of readdirSync(root)
  .filter((d) => d.startsWith('action-'))
  .sort()) {
  const readme = join(root, dir, 'README.md');
  const meta = join(root, dir, 'action.yml');
  if (!existsSync(readme) || !existsSync(meta)) continue;
  const action = parse(readFileSync(meta, 'utf8'));
  const description = String(action.description ?? '').trim();
  if (description.length === 0 || description.length > MAX_DESCRIPTION) {
    console.error(
      `${dir}/action.yml: description has ${description.length} characters; it must have 1 to ${MAX_DESCRIPTION} (details go in the inputs and README.md)`,
    );
    stale++;
  }
  const before = readFileSync(readme, 'utf8');
  let after = before;
  for (const kind of ['inputs', 'outputs']) {
    const re = new RegExp(`(<!-- action-docs:${kind} -->\\n)[\\s\\S]*?(<!-- /action-docs -->)`);
    after = after.replace(re, (_m, open, close) => `${open}${table(kind, action[kind])}\n${close}`);
  }
  if (after !== before) {
    if (check) {
      console.error(`${dir}/README.md tables differ from action.yml: run node scripts/action-docs.mjs`);
      stale++;
    } else {
      writeFileSync(readme, after);
      console.log(`updated ${dir}/README.md`);
    }
  }
}
process.exit(stale ? 1 : 0);

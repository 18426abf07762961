#!/usr/bin/env node
// Writes the planning skeleton of a whole kaapana/kaapana tree at one tag, as JSON: every
// `Dockerfile*` path (as Kaapana's build finds them) with only the instructions a build plan reads —
// `ARG`, `FROM` and `LABEL` lines (continuations joined) — plus Kaapana's build-script marker. No
// build steps, no other file. test/kaapana-tree.test.ts writes it out as a tree and plans it with
// build-images' default settings.
//   node scripts/kaapana-tree.mjs <git-dir of kaapana/kaapana> <tag> > test/fixtures/kaapana-tree/<tag>.json
import { execFileSync } from 'node:child_process';

const [gitDir, tag] = process.argv.slice(2);
if (!gitDir || !tag) {
  console.error('usage: node scripts/kaapana-tree.mjs <git-dir of kaapana/kaapana> <tag>');
  process.exit(2);
}
const git = (...args) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const paths = git('ls-tree', '-r', '--name-only', tag)
  .split('\n')
  .filter((p) => /(^|\/)Dockerfile[^/]*$/.test(p) && !p.endsWith('.dockerignore'));

/** ARG / FROM / LABEL instructions of a Dockerfile, one logical line each. */
function skeleton(text) {
  const out = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = pending + raw;
    if (/\\\s*$/.test(raw)) {
      pending = line.replace(/\\\s*$/, ' ');
      continue;
    }
    pending = '';
    if (/^\s*(ARG|FROM|LABEL)\s/i.test(line)) out.push(line.trim());
  }
  return out.join('\n') + '\n';
}

const files = {};
for (const p of paths.sort()) files[p] = skeleton(git('show', `${tag}:${p}`));
files['build-scripts/start_build.py'] = '# marker: Kaapana build script (content not copied)\n';
process.stdout.write(
  JSON.stringify({ tag, source: `kaapana/kaapana@${tag}: Dockerfile* (ARG/FROM/LABEL lines only)`, files }, null, 1) +
    '\n',
);

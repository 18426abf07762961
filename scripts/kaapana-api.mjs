#!/usr/bin/env node
// Writes the names Kaapana's Airflow plugin provides at one tag — module → top-level names (def,
// class, assignments, imports) of every `kaapana/**/*.py` of
// data-processing/kaapana-plugin/extension/docker/files/plugin/ — as JSON, read from a git clone of
// kaapana/kaapana. Names only, no code. test/example-imports.test.ts checks the examples' DAG and
// operator imports against these lists.
//   node scripts/kaapana-api.mjs <git-dir> <tag> > test/fixtures/kaapana-api/<tag>.json
import { execFileSync } from 'node:child_process';

const [gitDir, tag] = process.argv.slice(2);
if (!gitDir || !tag) {
  console.error('usage: node scripts/kaapana-api.mjs <git-dir of kaapana/kaapana> <tag>');
  process.exit(2);
}
const git = (...args) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const prefix = 'data-processing/kaapana-plugin/extension/docker/files/plugin/';
const files = git('ls-tree', '-r', '--name-only', tag, prefix)
  .split('\n')
  .filter((f) => /\/kaapana\/.*\.py$/.test(f));
const api = {};
for (const f of files.sort()) {
  const module = f
    .slice(prefix.length, -3)
    .replace(/\/__init__$/, '')
    .split('/')
    .join('.');
  const names = new Set();
  for (const line of git('show', `${tag}:${f}`).split('\n')) {
    let m = /^(?:async\s+)?def\s+(\w+)|^class\s+(\w+)|^(\w+)\s*(?::[^=]*)?=(?!=)/.exec(line);
    if (m) names.add(m[1] ?? m[2] ?? m[3]);
    m = /^from\s+\S+\s+import\s+([\w\s,]+)$/.exec(line);
    if (m)
      for (const n of m[1].split(','))
        if (n.trim())
          names.add(
            n
              .trim()
              .split(/\s+as\s+/)
              .pop(),
          );
  }
  api[module] = [...names].sort();
}
process.stdout.write(JSON.stringify({ tag, source: `kaapana/kaapana@${tag} ${prefix}`, modules: api }, null, 1) + '\n');

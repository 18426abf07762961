// What GitHub's local runner for JavaScript actions (@github/local-action 7, run by
// `npm run local-action -- <action-dir>`, scripts/local-action.mjs) needs from this repository,
// checked offline (the runner itself comes from npm through npx and is not installed by `npm ci`):
//   - it stubs @actions/core at the path `npm ls @actions/core --json --long` names in the cwd (the
//     repository root; local-action's src/commands/run.ts), so that must be the module every action
//     loads — otherwise outputs and annotations go to stdout as raw workflow commands;
//   - its launcher runs `npm exec tsx` in the cwd (bin/local-action.js), so tsx must be a root dependency;
//   - every package an action's source imports is declared in that action's package.json.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const actions = readdirSync(root)
  .filter((d) => d.startsWith('action-') && existsSync(join(root, d, 'action.yml')))
  .sort();
const readJson = (file: string) =>
  JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string> | undefined>;

/** Directory of `name` as Node resolves it from `dir` (nearest node_modules upwards). */
function installedFrom(dir: string, name: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(d) === d) return undefined;
  }
}

/** Bare package names (`@scope/name` or `name`) imported by the action's TypeScript sources. */
function importedPackages(actionDir: string): Set<string> {
  const names = new Set<string>();
  const src = join(actionDir, 'src');
  for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(join(src, file), 'utf8').matchAll(/\bfrom\s+'([^'.][^']*)'/g)) {
      const spec = m[1]!;
      if (spec.startsWith('node:')) continue;
      names.add(
        spec
          .split('/')
          .slice(0, spec.startsWith('@') ? 2 : 1)
          .join('/'),
      );
    }
  }
  return names;
}

describe('@github/local-action support', () => {
  it('npm ls at the root names the @actions/core every action loads', () => {
    const out = execFileSync('npm', ['ls', '@actions/core', 'tsx', '--json', '--long'], {
      cwd: root,
      encoding: 'utf8',
    });
    const deps = (JSON.parse(out) as { dependencies?: Record<string, { path: string }> }).dependencies ?? {};
    expect(deps['@actions/core']?.path).toBe(join(root, 'node_modules/@actions/core'));
    expect(deps.tsx?.path, 'tsx (local-action runs `npm exec tsx`) is a root dependency').toBeTruthy();
    for (const action of actions)
      expect(installedFrom(join(root, action), '@actions/core'), action).toBe(deps['@actions/core']!.path);
  });

  it.each(actions)('%s declares every package its source imports', (action) => {
    const pkg = readJson(join(root, action, 'package.json'));
    const declared = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    expect(declared).toEqual(expect.arrayContaining([...importedPackages(join(root, action))]));
    expect(declared).toContain('@actions/core');
  });

  it('the documented script exists', () => {
    expect(readJson(join(root, 'package.json')).scripts?.['local-action']).toBe('node scripts/local-action.mjs');
  });
});

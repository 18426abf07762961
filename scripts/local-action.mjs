#!/usr/bin/env node
// Runs one action's TypeScript source on this machine with GitHub's own local runner for JavaScript
// actions, @github/local-action (https://github.com/github/local-action): it reads the action's
// action.yml, takes inputs from a dotenv file (INPUT_<NAME>=value) and stubs @actions/core, so
// outputs, annotations and the job summary are printed instead of sent to a runner.
//   npm run local-action -- <action-dir> [env-file]      (env-file defaults to <action-dir>/.env)
// What the runner needs from this repository, and where it is declared:
//   - `npm ls @actions/core` at the repository root must name the module the actions load, so it
//     can be stubbed: @actions/core is a root devDependency (and a dependency of every action);
//   - `npm exec tsx` must resolve in the root: tsx is a root devDependency;
//   - packages/core compiled (`npm run build`; `npm ci` does it), since actions import its lib/.
// The runner itself is fetched by npx at the pinned version below, so `npm ci` does not install
// its ~300 packages (artifact, cache, octokit) that no test needs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const LOCAL_ACTION = '@github/local-action@7.0.1';
const root = resolve(import.meta.dirname, '..');
const [action, envArg] = process.argv.slice(2);

function fail(message) {
  console.error(`local-action: ${message}`);
  process.exit(2);
}

if (!action) fail('usage: npm run local-action -- <action-dir> [env-file]');
const actionDir = resolve(root, action);
if (!/^action-[a-z-]+$/.test(action.replace(/\/$/, '')) || !existsSync(join(actionDir, 'action.yml'))) {
  fail(`${action} is not an action directory of this repository (action-*/action.yml)`);
}
const envFile = resolve(envArg ?? join(actionDir, '.env'));
if (!existsSync(envFile)) fail(`${envFile}: no such dotenv file (one INPUT_<NAME>=value per line)`);

const result = spawnSync('npx', ['-y', LOCAL_ACTION, 'run', actionDir, 'src/main.ts', envFile], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);

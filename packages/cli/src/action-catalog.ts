// The commands of the CLI and where their actions live. Each command is one action folder
// (`action-<command>/`): below $KAAPANA_EXT_ACTIONS_DIR if set; in the packed CLI (scripts/pack.mjs)
// under its own `actions/`; else in the kaapana-ext checkout this package belongs to. `publish` is not an action: it
// chains the four (publish.ts).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ACTION_COMMANDS = [
  'build-images',
  'package-chart',
  'update-collection',
  'restart-pod',
  'install-extension',
] as const;
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

export function isActionCommand(s: string): s is ActionCommand {
  return (ACTION_COMMANDS as readonly string[]).includes(s);
}

/** Directory that holds the `action-*` folders. */
export function actionsRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KAAPANA_EXT_ACTIONS_DIR) return resolve(env.KAAPANA_EXT_ACTIONS_DIR);
  const here = dirname(fileURLToPath(import.meta.url));
  // packed: <package>/lib/cli.js next to <package>/actions/
  const packed = resolve(here, '..', 'actions');
  if (existsSync(packed)) return packed;
  // src/ and lib/ sit at the same depth: packages/cli/{src,lib}/action-catalog.{ts,js}
  return resolve(here, '..', '..', '..');
}

export function actionDir(command: ActionCommand, env: NodeJS.ProcessEnv = process.env): string {
  return join(actionsRoot(env), `action-${command}`);
}

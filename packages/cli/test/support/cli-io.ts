// Runs the kaapana-ext CLI's `main` in-process with captured stdout/stderr, for CLI tests.
import { PassThrough } from 'node:stream';
import { main, type CliIo } from '../../src/index.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `actionsDir` is where the CLI looks for `action-*` folders (KAAPANA_EXT_ACTIONS_DIR). */
export async function runCli(argv: string[], actionsDir: string, cwd = actionsDir): Promise<CliResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (c: Buffer) => o.push(c));
  err.on('data', (c: Buffer) => e.push(c));
  const io: CliIo = {
    stdout: out,
    stderr: err,
    env: { ...process.env, KAAPANA_EXT_ACTIONS_DIR: actionsDir },
    cwd,
    readStdin: async () => '',
  };
  const code = await main(argv, io);
  return { code, stdout: Buffer.concat(o).toString('utf8'), stderr: Buffer.concat(e).toString('utf8') };
}

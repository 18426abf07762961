// The CLI over the real, committed action bundles: every action's --help lists exactly the inputs
// and outputs of its action.yml (one source of truth), and `build-images --dry-run` plans the example
// extension through the bundle (no docker needed).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ACTION_COMMANDS, loadActionMetadata } from '../packages/cli/src/index.js';
import { runCli, type CliResult } from '../packages/cli/test/support/cli-io.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function cli(argv: string[]): Promise<CliResult> {
  return runCli(argv, root);
}

for (const command of ACTION_COMMANDS) {
  describe(`kaapana-ext ${command}`, () => {
    it('--help lists every input and output of action.yml', async () => {
      const meta = await loadActionMetadata(join(root, `action-${command}`));
      const r = await cli([command, '--help']);
      expect(r.code).toBe(0);
      for (const input of meta.inputs) expect(r.stdout).toMatch(new RegExp(`--(\\[no-\\])?${input.name}\\b`));
      for (const output of meta.outputs) expect(r.stdout).toContain(`  ${output.name}\n`);
      expect(r.stdout.split('\n').filter((l) => /^ {2}--/.test(l)).length).toBe(meta.inputs.length + 4);
    });
  });
}

describe('kaapana-ext publish --help', () => {
  it('lists the steps with their options', async () => {
    const r = await cli(['publish', '--help']);
    expect(r.code).toBe(0);
    for (const c of ACTION_COMMANDS) expect(r.stdout).toContain(`  ${c}:`);
    expect(r.stdout).toContain('--restart');
  });
});

describe('kaapana-ext build-images --dry-run', () => {
  it('plans the example extension through the committed bundle', async () => {
    const r = await cli([
      'build-images',
      '--json',
      '--dry-run',
      '--context',
      'examples/threshold-segmentation',
      '--ignore',
      'collection',
      '--registry',
      '127.0.0.1:5000/kx-cli-plan',
      '--tag-style',
      'kp',
      '--platform-version',
      '0.1.3',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as {
      ok: boolean;
      outputs: { plan: { images: { name: string; localOnly: boolean; tag: string; dependsOn: string[] }[] } };
    };
    const byName = Object.fromEntries(json.outputs.plan.images.map((i) => [i.name, i]));
    expect(byName['dag-installer']?.localOnly).toBe(true);
    expect(byName['dag-example-otsus-method']).toMatchObject({
      localOnly: false,
      tag: 'kp_0.1.3__0.1.0',
      dependsOn: ['dag-installer'],
    });
    expect(byName['kaapana-extension-collection']).toBeUndefined();
  });
});

// The reusable workflow, the actions and the CLI agree on defaults: wherever the workflow hands one
// of its inputs straight to an action input (`with: x: ${{ inputs.y }}`), the workflow's default for
// y is the action.yml default for x, and the CLI (which derives its options from action.yml)
// applies that same value when the option is not given. Inputs a job only receives when they are
// non-empty (`if: inputs.y != ''`) cannot carry their default to the action and are not compared.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadActionMetadata } from '../packages/cli/src/index.js';
import { effectiveInputs } from '../packages/cli/src/options.js';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  steps?: Step[];
}

it('the reusable workflow passes its inputs with the defaults of the actions and the CLI', async () => {
  const wf = parse(await readFile(join(root, '.github/workflows/publish-extension.yml'), 'utf8')) as {
    on: { workflow_call: { inputs: Record<string, { default?: unknown }> } };
    jobs: Record<string, Job>;
  };
  const inputs = wf.on.workflow_call.inputs;
  const rows: string[] = [];
  let compared = 0;
  for (const [jobName, job] of Object.entries(wf.jobs)) {
    for (const step of job.steps ?? []) {
      const action = /^\.\/(?:\.\.\/kaapana-ext\/)?(action-[a-z-]+)$/.exec(step.uses ?? '')?.[1];
      if (!action) continue;
      const meta = await loadActionMetadata(join(root, action));
      const cli = effectiveInputs(meta, new Map([['registry', 'r']]), { cwd: root, runnerTemp: '', env: {} });
      for (const [name, value] of Object.entries(step.with ?? {})) {
        const passed = /^\$\{\{\s*inputs\.([a-z0-9-]+)\s*\}\}$/.exec(String(value))?.[1];
        if (!passed || inputs[passed]?.default === undefined) continue;
        if (new RegExp(`inputs\\.${passed}\\s*!=\\s*''`).test(job.if ?? '')) continue;
        const workflowDefault = String(inputs[passed]!.default);
        const actionDefault = meta.inputs.find((i) => i.name === name)?.default;
        compared++;
        if (workflowDefault !== actionDefault || cli[name] !== actionDefault) {
          rows.push(
            `${jobName}: inputs.${passed} = ${JSON.stringify(workflowDefault)}, ${action} ${name} = ${JSON.stringify(actionDefault)}, CLI --${name} = ${JSON.stringify(cli[name])}`,
          );
        }
      }
    }
  }
  expect(rows).toEqual([]);
  expect(compared).toBeGreaterThan(20);
});

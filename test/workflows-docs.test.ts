// docs/reusable-workflow.md documents every input, secret and output of the reusable workflow.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));

it('docs/reusable-workflow.md has a row for every input, secret and output', async () => {
  const wf = parse(await readFile(join(root, '.github/workflows/publish-extension.yml'), 'utf8')) as {
    on: { workflow_call: { inputs: object; secrets: object; outputs: object } };
  };
  const doc = await readFile(join(root, 'docs/reusable-workflow.md'), 'utf8');
  const call = wf.on.workflow_call;
  const missing = [...Object.keys(call.inputs), ...Object.keys(call.secrets), ...Object.keys(call.outputs)].filter(
    (name) => !doc.includes(`| \`${name}\` |`),
  );
  expect(missing).toEqual([]);
});

// Hygiene of every workflow we ship or run (.github/workflows/ and the starters in workflows/):
// checkouts keep no git credentials (`persist-credentials: false`: a later step or action cannot
// reuse the token), the release workflow uses no package cache (a poisoned cache must not reach a
// release), and project CI runs the tests on Node 20 and 24 (the actions run on node24).
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  jobs?: Record<string, { steps?: Step[]; strategy?: { matrix?: Record<string, unknown> } }>;
}
const workflowFiles = ['.github/workflows', 'workflows'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `${dir}/${f}`),
);
const load = (file: string) => parse(readFileSync(join(root, file), 'utf8')) as Workflow;
const steps = (wf: Workflow) =>
  Object.entries(wf.jobs ?? {}).flatMap(([job, j]) =>
    (j.steps ?? []).map((s, i) => ({ where: `${job} step ${i + 1}`, s })),
  );

describe('workflow hygiene', () => {
  it.each(workflowFiles)('%s: every actions/checkout has persist-credentials: false', (file) => {
    for (const { where, s } of steps(load(file))) {
      if (s.uses?.startsWith('actions/checkout@'))
        expect(s.with?.['persist-credentials'], `${file} ${where}`).toBe(false);
    }
  });

  it('the release workflow uses no package cache', () => {
    for (const { where, s } of steps(load('.github/workflows/release.yml'))) {
      expect(s.uses ?? '', where).not.toMatch(/^actions\/cache@/);
      expect(s.with?.cache, `${where}: setup-node cache`).toBeUndefined();
    }
  });

  it('project CI runs the tests and the regression on Node 20 and 24', () => {
    const ci = load('.github/workflows/ci.yml');
    for (const job of ['test', 'regression']) expect(ci.jobs?.[job]?.strategy?.matrix?.node, job).toEqual([20, 24]);
  });
});

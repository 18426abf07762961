// The documented user path, executed rather than linted (issue 18). A user repository is laid out as
// the README's "Use it in your repository" says: our example extension as the content, the starter
// copied to .github/workflows/, and — what broke the first users — a `.kaapana-ext` checkout of the
// toolkit inside it. The starter's `with:` is evaluated in the caller's context of a tag push; the
// one value the README tells users to change (`registry`) points at the local registry. Then every
// job of the reusable workflow runs in `needs` order through test/support/workflow-runner.ts:
// its `uses: ./../kaapana-ext/action-*` steps run the committed bundles of this checkout against the
// local registry and dockerd, `run:` steps run in bash, and the toolkit is "fetched" only at the
// repository and commit the workflow was called at (job.workflow_*). The offline stand-ins of the
// bases (busybox, the machine's node) are staged into the repository first, as a real repository
// maps them to pullable images with `base-images`.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dockerAvailable } from './support/docker.js';
import { REGISTRY, registryAvailable } from './support/registry.js';
import { needService } from './support/services.js';
import { evalTemplate, runReusableWorkflow, type WorkflowRunResult } from './support/workflow-runner.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const services = needService(
  'dockerd or the registry on 127.0.0.1:5000',
  dockerAvailable() && (await registryAvailable()),
  import.meta.url,
);

/** What a checkout gives: the tracked files (as they are in this work tree). */
async function copyTracked(from: string, prefix: string, to: string): Promise<void> {
  const files = execFileSync('git', ['ls-files', '-z', '--', prefix], { cwd: from, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    const rel = prefix === '.' ? f : f.slice(prefix.length + 1);
    await mkdir(dirname(join(to, rel)), { recursive: true });
    await cp(join(from, f), join(to, rel));
  }
}

function npmScript(script: string, args: string[]): void {
  execFileSync('npm', ['run', '--silent', script, '-w', '@kaapana-ext/algorithm', '--', ...args], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

describe.skipIf(!services)('the starter workflow, as shipped, in a repository laid out as the README says', () => {
  let tmp: string;
  let registry: string;
  let run: WorkflowRunResult;
  let starter: {
    permissions: Record<string, string>;
    jobs: { publish: { uses: string; with: Record<string, unknown>; secrets: Record<string, string> } };
  };

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'kx18-starter-'));
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const toolkit = join(tmp, 'toolkit');
    await copyTracked(root, '.', toolkit);

    const repo = join(tmp, 'user-repo');
    await copyTracked(root, 'examples/threshold-segmentation', repo);
    execFileSync('cp', ['-al', toolkit, join(repo, '.kaapana-ext')]);
    await mkdir(join(repo, '.github/workflows'), { recursive: true });
    await cp(join(root, 'workflows/kaapana-extension.yml'), join(repo, '.github/workflows/kaapana-extension.yml'));
    execFileSync(process.execPath, [join(repo, 'prepare-offline-bases.mjs')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    npmScript('container-base', ['--out', join(repo, 'processing-containers/node-runtime')]);
    npmScript('container-context', ['--out', join(repo, 'processing-containers/otsus-method/app')]);

    starter = parse(await readFile(join(repo, '.github/workflows/kaapana-extension.yml'), 'utf8')) as typeof starter;
    const caller = {
      github: {
        event_name: 'push',
        ref: 'refs/tags/v0.1.0',
        ref_name: 'v0.1.0',
        repository: 'my-org/otsu-extension',
        actor: 'octocat',
        sha: '0'.repeat(40),
        token: 'not-used',
      },
      inputs: {},
      secrets: {},
    };
    const given: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(starter.jobs.publish.with)) given[k] = evalTemplate(v, caller);
    // A fixed repository: a rerun finds the layers there (its images and tags are this test's own).
    registry = `${REGISTRY}/kx18-starter`;
    given.registry = registry; // the one change the README asks for
    const secrets: Record<string, string> = {};
    for (const [k, v] of Object.entries(starter.jobs.publish.secrets))
      secrets[k] = String(evalTemplate(v, caller) ?? '');

    const workflowPath = /^kaapana-ext\/kaapana-ext\/(\.github\/workflows\/[^@]+)@/.exec(
      starter.jobs.publish.uses,
    )?.[1];
    if (!workflowPath) throw new Error(`the starter calls ${starter.jobs.publish.uses}`);
    run = await runReusableWorkflow({
      workflow: join(toolkit, workflowPath),
      with: given,
      secrets,
      repository: repo,
      toolkit: { repository: 'kaapana-ext/kaapana-ext', sha, dir: toolkit },
      github: caller.github,
      dir: tmp,
    });
  }, 600_000);

  afterAll(async () => {
    // The images keep their fixed names (nothing accumulates) and the layer cache for the next run.
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('grants what GHCR needs and calls the reusable workflow at a version', () => {
    expect(starter.permissions).toEqual({ contents: 'read', packages: 'write' });
    expect(starter.jobs.publish.uses).toMatch(/@v\d+$/);
  });

  it('runs every job; restart stays off on a tag push', () => {
    const results = Object.fromEntries(Object.entries(run.jobs).map(([n, j]) => [n, j.result]));
    expect(results, run.log.slice(-6000)).toEqual({
      plan: 'success',
      bases: 'success',
      build: 'success',
      package: 'success',
      collection: 'success',
      restart: 'skipped',
      install: 'skipped',
      report: 'success',
    });
  });

  it("plans only the repository's own images: not the .kaapana-ext checkout, not the collection chart", () => {
    const plan = run.steps.find((s) => s.job === 'plan' && s.step === 'plan')!;
    const images = (
      JSON.parse(plan.outputs.plan!) as { images: { name: string; dockerfile: string; localOnly: boolean }[] }
    ).images;
    expect(images.map((i) => i.dockerfile).sort()).toEqual([
      'collection/base-charts-manager/Dockerfile',
      'extension/docker/Dockerfile',
      'platform/dag-installer/Dockerfile',
      'processing-containers/node-runtime/Dockerfile',
      'processing-containers/otsus-method/Dockerfile',
    ]);
    expect(run.log).toContain('not searched for Dockerfiles: .kaapana-ext (kaapana-ext checkout)');
    expect(run.log).toContain(
      'not searched for Dockerfiles: collection/kaapana-collection (extension collection chart)',
    );
  });

  it('runs the actions of the commit it was called at, from outside the workspace', async () => {
    const ours = run.steps.filter((s) => s.uses?.startsWith('./'));
    expect(new Set(ours.map((s) => s.uses))).toEqual(
      new Set([
        './../kaapana-ext/action-build-images',
        './../kaapana-ext/action-package-chart',
        './../kaapana-ext/action-update-collection',
      ]),
    );
    expect(ours.every((s) => s.outcome === 'success')).toBe(true);
    let fetched = 0;
    for (const r of run.runners) {
      if (await exists(join(r, 'work/repo/kaapana-ext/action-build-images/dist/index.js'))) fetched++;
      expect(await exists(join(r, 'work/repo/repo/.kaapana-ext-incoming'))).toBe(false);
    }
    expect(fetched).toBe(6); // plan, bases, two build legs, package, collection (report needs no toolkit)
  });

  it('publishes to the registry: both images, the chart in the collection image', async () => {
    const images = JSON.parse(run.outputs.images!) as { name: string; ref: string; status: string; digest: string }[];
    expect(images.map((i) => [i.name, i.status])).toEqual([
      ['dag-example-otsus-method', 'pushed'],
      ['example-otsus-method', 'pushed'],
    ]);
    for (const i of images) expect(i.ref).toBe(`${registry}/${i.name}:kp_0.1.3__0.1.0`);
    const collection = run.steps.find((s) => s.job === 'collection' && s.step === 'collection')!;
    expect(collection.outputs.image).toBe(`${registry}/kaapana-extension-collection`);
    expect(collection.outputs.tag).toBe('kp_0.1.3__0.1.0');
    expect((JSON.parse(collection.outputs.charts!) as string[]).map((c) => c.split('/').pop())).toContain(
      'example-threshold-segmentation-workflow-0.1.0.tgz',
    );
    for (const ref of [...images.map((i) => i.ref), `${collection.outputs.image}:${collection.outputs.tag}`]) {
      const path = ref.slice(REGISTRY.length + 1);
      const colon = path.lastIndexOf(':');
      const res = await fetch(`http://${REGISTRY}/v2/${path.slice(0, colon)}/manifests/${path.slice(colon + 1)}`, {
        method: 'HEAD',
        headers: {
          Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
        },
      });
      expect(res.status, ref).toBe(200);
    }
  });
});

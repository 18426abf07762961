// build-images plans a whole Kaapana tree with its default settings (only context, registry and
// dry-run given), through the CLI over the committed bundle (the CLI applies action.yml's defaults as
// the runner does): the planning skeleton of kaapana/kaapana at 0.6.0 and
// 0.1.3 (every Dockerfile's ARG/FROM/LABEL lines, test/fixtures/kaapana-tree/<tag>.json, written by
// scripts/kaapana-tree.mjs from the git tags) is written out as a tree with Kaapana's build-script
// marker, so discovery reads it as a Kaapana checkout: Kaapana's default ignore patterns apply
// (templates_and_examples, ci, lib/task_api), duplicate IMAGE labels are resolved as Kaapana's
// build_state.add_container does (first in path order kept, the others reported), and every image
// gets its version from git as Kaapana's build does (0.6.0 container.py: `git describe` of the
// checkout for every image that is not local-only; the tree is a git repository at its annotated tag).
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTree } from '../packages/core/test/support/write-tree.js';
import { runCli } from '../packages/cli/test/support/cli-io.js';

const ROOT = resolve(import.meta.dirname, '..');
let ws: string;
beforeAll(async () => {
  ws = await mkdtemp(join(tmpdir(), 'kx16-tree-'));
});
afterAll(async () => rm(ws, { recursive: true, force: true }));

interface Plan {
  images: { name: string; dockerfile: string; localOnly: boolean; tag: string; versionRule: string }[];
  duplicates: { image: string; kept: string; dropped: string }[];
  skipped: { dockerfile: string; reason: string }[];
  findings: unknown[];
}

async function planTree(tag: string, extra: string[] = []): Promise<{ plan: Plan; dockerfiles: string[] }> {
  const { files } = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/kaapana-tree', `${tag}.json`), 'utf8')) as {
    files: Record<string, string>;
  };
  const tree = join(ws, `${tag}${extra.length ? '-' + extra.length : ''}`);
  await writeTree(tree, files);
  // A checkout of kaapana/kaapana at its (annotated) release tag, as git clone gives it.
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=kx', '-c', 'user.email=kx@example.org', ...args], { cwd: tree });
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', tag);
  git('tag', '-a', tag, '-m', tag);
  const run = await runCli(
    ['build-images', '--json', '--dry-run', '--context', tree, '--registry', 'registry.example.org/kaapana', ...extra],
    ROOT,
    ws,
  );
  expect(run.code, run.stdout + run.stderr).toBe(0);
  const out = JSON.parse(run.stdout) as { outputs: { plan: Plan } };
  return {
    plan: out.outputs.plan,
    dockerfiles: Object.keys(files).filter((f) => /Dockerfile/.test(f)),
  };
}

describe('build-images plans a full Kaapana tree with default settings', () => {
  it('kaapana/kaapana@0.6.0: 180 Dockerfiles, the default ignore patterns applied, no duplicate', async () => {
    const { plan, dockerfiles } = await planTree('0.6.0');
    expect(dockerfiles).toHaveLength(180);
    const kept = dockerfiles.filter(
      (f) => !['templates_and_examples', 'ci', 'lib/task_api'].some((p) => f.includes(p)),
    );
    // Kaapana's BUILD_IGNORE label skips two of them; every other one is planned.
    expect(plan.skipped.map((x) => x.dockerfile)).toEqual([
      'services/applications/collabora/docker/collabora/collabora-code-patched/Dockerfile',
      'utils/internet-benchmark/docker/Dockerfile',
    ]);
    expect([...plan.images.map((i) => i.dockerfile), ...plan.skipped.map((x) => x.dockerfile)].sort()).toEqual(
      kept.sort(),
    );
    expect(kept).toHaveLength(164);
    expect(plan.duplicates).toEqual([]);
    expect(plan.findings).toEqual([]);
    for (const img of plan.images.filter((i) => !i.localOnly))
      expect(`${img.name}:${img.tag}`).toBe(`${img.name}:0.6.0`);
    expect(plan.images.filter((i) => i.localOnly).map((i) => i.name)).toEqual(
      expect.arrayContaining(['base-installer', 'base-python-cpu']),
    );
  });

  it('kaapana/kaapana@0.1.3: the postgres 9.5/9.6 duplicate resolved, first in path order kept', async () => {
    const { plan } = await planTree('0.1.3');
    expect(plan.duplicates).toContainEqual(expect.objectContaining({ image: 'postgres' }));
    const dup = plan.duplicates.find((d) => d.image === 'postgres')!;
    expect(dup.kept < dup.dropped).toBe(true);
    expect(plan.images.filter((i) => i.name === 'postgres').map((i) => i.dockerfile)).toEqual([dup.kept]);
  });

  it("kaapana/kaapana@0.1.3 with its generation's settings (tag-style kp): LABEL VERSIONs taken as written", async () => {
    const { plan } = await planTree('0.1.3', ['--tag-style', 'kp', '--platform-version', '0.1.3']);
    const byName = Object.fromEntries(plan.images.map((i) => [i.name, i]));
    // labels that are no semver (v0.24.0, dates, 9.5-alpine) are tags as Kaapana 0.1.3 wrote them
    expect(byName['alert-manager']).toMatchObject({ tag: 'kp_0.1.3__v0.24.0', versionRule: 'LABEL VERSION' });
    expect(byName['postgres']?.tag).toBe('kp_0.1.3__9.5-alpine');
  });
});

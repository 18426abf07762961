// The version model of a build: which version each image is tagged with, and which rule gave it.
// Rules, first match wins: `image-versions` (a map image → version) → `chart-version` for the DAG
// image a workflow chart names in `global.image` → the `version` input → for tag-style kp the
// Dockerfile's VERSION label (Kaapana 0.1.x read it) → the version from git → for tag-style
// platform the VERSION label (outside a git checkout) → error. Kaapana ≥0.2 tags every image with
// `git describe` of its checkout, validated as semver
// (kaapana/kaapana@0.6.0 build-scripts/build_helper/utils/git_utils.py: `repo.git.describe()`, then
// `semver.VersionInfo.parse`; container/container.py overrides LABEL VERSION with it). Here an exact
// tag on HEAD wins first (its leading `v` stripped: `v1.2.3` → `1.2.3`), then plain `git describe`
// (annotated tags, as Kaapana), then `git describe --tags` (lightweight tags); the result must be
// semver (a commit past a tag gives e.g. `1.2.3-2-gabc1234`, a semver pre-release).
import semver from 'semver';
import { KxError } from '../errors/index.js';
import { nodeExec, type Exec } from '../exec/index.js';

export interface GitVersion {
  version: string;
  /** How it was found, e.g. `git tag v1.2.3` or `git describe`. */
  rule: string;
}

async function git(dir: string, args: string[], exec: Exec = nodeExec): Promise<string | undefined> {
  try {
    const r = await exec('git', ['-C', dir, ...args]);
    return r.exitCode === 0 ? r.stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

function strip(tag: string): string {
  return /^v\d/.test(tag) ? tag.slice(1) : tag;
}

/**
 * Version of the checkout that contains `dir`, or undefined when `dir` is not in a git work tree
 * or no tag is reachable. Throws when the version git gives is not semver.
 */
export async function gitVersion(dir: string): Promise<GitVersion | undefined> {
  if ((await git(dir, ['rev-parse', '--is-inside-work-tree'])) !== 'true') return undefined;
  const onHead = (await git(dir, ['tag', '--points-at', 'HEAD']))?.split('\n').filter(Boolean) ?? [];
  const exact = onHead
    .filter((t) => semver.valid(strip(t)) !== null)
    .sort((a, b) => semver.rcompare(strip(a), strip(b)));
  if (exact.length > 0) return { version: strip(exact[0]!), rule: `git tag ${exact[0]}` };
  for (const [args, rule] of [
    [['describe'], 'git describe'],
    [['describe', '--tags'], 'git describe --tags'],
  ] as const) {
    const described = await git(dir, [...args]);
    if (!described) continue;
    const version = strip(described);
    if (!semver.valid(version)) {
      throw new KxError(
        `${rule} in ${dir} gives "${described}", which is not a semantic version (Kaapana validates it as semver): tag the commit e.g. v1.2.3 or set the version input`,
      );
    }
    return { version, rule: `${rule} (${described})` };
  }
  return undefined;
}

export interface VersionRules {
  /** image → version (`image-versions`). */
  overrides?: Record<string, string>;
  /** Version of the workflow charts; their DAG images (`global.image`) get it. */
  chartVersion?: string;
  /** Images named in a workflow chart's `global.image`. */
  dagImages?: Set<string>;
  /** The `version` input. */
  version?: string;
  /** Version from git (see gitVersion). */
  git?: GitVersion;
  /** tag-style kp: LABEL VERSION comes before git, as in Kaapana 0.1.x. */
  labelFirst?: boolean;
}

/** The version of one image and the rule that gave it; undefined when no rule applies. */
export function pickVersion(
  image: string,
  label: string | undefined,
  rules: VersionRules,
): { version: string; rule: string } | undefined {
  const o = rules.overrides?.[image];
  if (o) return { version: o, rule: 'image-versions' };
  if (rules.chartVersion && rules.dagImages?.has(image))
    return { version: rules.chartVersion, rule: 'chart-version (DAG image of a workflow chart)' };
  if (rules.version) return { version: rules.version, rule: 'version input' };
  if (rules.labelFirst && label) return { version: label, rule: 'LABEL VERSION' };
  if (rules.git) return { version: rules.git.version, rule: rules.git.rule };
  if (label) return { version: label, rule: 'LABEL VERSION (no git version)' };
  return undefined;
}

// build-images' plan of an extension on a tree written here: a local-only base and the image built
// FROM it, the version from the input (else each Dockerfile's), the extra tags and labels, the
// reference lint's settings of the run, and the `plan` output (no local paths) package-chart reads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildLintSettings,
  planExtensionBuild,
  planOutput,
  type ExtensionBuildOptions,
} from '../../src/build/index.js';
import { parseBuiltImages } from '../../src/references/index.js';
import { writeTree } from '../support/write-tree.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kx-build-plan-'));
  await writeTree(dir, {
    'base/Dockerfile': 'FROM scratch\nLABEL REGISTRY="local-only"\nLABEL IMAGE="base"\nLABEL VERSION="0.1.0"\n',
    'otsu/Dockerfile': 'FROM local-only/base:0.1.0\nLABEL IMAGE="otsu"\nLABEL VERSION="0.2.0"\n',
  });
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const options = (over: Partial<ExtensionBuildOptions> = {}): ExtensionBuildOptions => ({
  context: dir,
  dockerfiles: [],
  ignore: [],
  kaapanaIgnore: [],
  registry: '127.0.0.1:5000/kaapana',
  version: '',
  imageVersions: {},
  chartVersion: '',
  kaapanaSource: '',
  tagStyle: 'platform',
  platformVersion: '',
  abbr: 'kp',
  baseImages: {},
  includeIgnored: false,
  ociLabels: false,
  labels: {},
  extraTags: [],
  ...over,
});

describe('planExtensionBuild', () => {
  it('plans the base first, tags by the version input, with extra tags and labels', async () => {
    const planned = await planExtensionBuild(options({ version: '1.0.0', extraTags: ['latest'], labels: { a: 'b' } }));
    expect(planned.defaultVersion).toBe('1.0.0');
    expect(planned.plan.images.map((i) => [i.name, i.localOnly, i.level])).toEqual([
      ['base', true, 0],
      ['otsu', false, 1],
    ]);
    const otsu = planned.plan.images[1]!;
    expect(otsu.tags).toEqual(['127.0.0.1:5000/kaapana/otsu:1.0.0', '127.0.0.1:5000/kaapana/otsu:latest']);
    expect(otsu.labels).toMatchObject({ a: 'b' });
  });

  it("takes each Dockerfile's version without a version input (and no git)", async () => {
    const planned = await planExtensionBuild(options());
    expect(planned.defaultVersion).toBeUndefined();
    expect(planned.plan.images[1]!.ref).toBe('127.0.0.1:5000/kaapana/otsu:0.2.0');
  });
});

describe('buildLintSettings and planOutput', () => {
  it('give what references resolve with, and the plan package-chart reads back', async () => {
    const opts = options({ version: '1.0.0', platformVersion: '0.6.0', chartVersion: '0.3.0' });
    const planned = await planExtensionBuild(opts);
    const settings = buildLintSettings(opts, planned);
    expect(settings).toEqual({
      registry: '127.0.0.1:5000/kaapana',
      tagStyle: 'platform',
      platformVersion: '0.6.0',
      buildVersion: '1.0.0',
      abbr: 'kp',
      chartVersion: '0.3.0',
    });
    expect(buildLintSettings(options(), { plan: planned.plan })).toEqual({
      registry: '127.0.0.1:5000/kaapana',
      tagStyle: 'platform',
      abbr: 'kp',
    });
    const out = planOutput(planned.plan, [], settings);
    expect(out).not.toContain(dir);
    const back = parseBuiltImages(out);
    expect(back.images.map((i) => i.name)).toEqual(['base', 'otsu']);
    expect(back.settings).toEqual(settings);
  });
});

// Each example's DAG and operator files import only what the Kaapana version it targets provides:
// every `from kaapana.<module> import <names>` must name a module and names of Kaapana's Airflow
// plugin at that tag. The lists (names only) are test/fixtures/kaapana-api/<tag>.json, written by
// scripts/kaapana-api.mjs from kaapana/kaapana's git history at tags 0.1.3 and 0.6.0.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonImports } from '@kaapana-ext/core/references';

const ROOT = resolve(import.meta.dirname, '..');

function pyFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.py'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** `file:line: what` for every kaapana import the tag does not provide. */
function missing(example: string, tag: string): string[] {
  const api = (
    JSON.parse(readFileSync(join(ROOT, 'test/fixtures/kaapana-api', `${tag}.json`), 'utf8')) as {
      modules: Record<string, string[]>;
    }
  ).modules;
  const out: string[] = [];
  const files = pyFiles(join(ROOT, example, 'extension/docker/files'));
  expect(files.length).toBeGreaterThan(1);
  for (const f of files) {
    for (const imp of pythonImports(readFileSync(f, 'utf8'))) {
      if (imp.module !== 'kaapana' && !imp.module.startsWith('kaapana.')) continue;
      const names = api[imp.module];
      const where = `${relative(ROOT, f)}:${imp.line}`;
      if (!names) out.push(`${where}: no module ${imp.module}`);
      else
        for (const n of imp.names)
          if (!names.includes(n) && !api[`${imp.module}.${n}`]) out.push(`${where}: ${imp.module} has no ${n}`);
    }
  }
  return out;
}

describe('example imports against the Kaapana they target', () => {
  it('examples/threshold-segmentation fits Kaapana 0.1.x (0.1.3)', () => {
    expect(missing('examples/threshold-segmentation', '0.1.3')).toEqual([]);
  });

  it('examples/otsu-kaapana-0.6 fits Kaapana 0.6.0', () => {
    expect(missing('examples/otsu-kaapana-0.6', '0.6.0')).toEqual([]);
  });

  it('and not the other way round (the check has teeth)', () => {
    expect(missing('examples/threshold-segmentation', '0.6.0')).toContainEqual(
      expect.stringMatching(
        /OtsuThresholdOperator\.py:\d+: kaapana\.operators\.KaapanaBaseOperator has no default_platform_abbr/,
      ),
    );
    expect(missing('examples/otsu-kaapana-0.6', '0.1.3')).toContainEqual(
      expect.stringMatching(
        /no module kaapana\.blueprints\.kaapana_global_variables|has no DEFAULT_REGISTRY|no module kaapana\.operators\.GetInputOperator/,
      ),
    );
  });
});

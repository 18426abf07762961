// README.md and examples/otsu-kaapana-0.6/README.md tell a Kaapana 0.6.0 author what to set in five
// lines (issue 16): the same five settings in both — platform version, version, chart version,
// registry, kaapana-source — each an input of build-images, with the values the example needs (the
// platform version its operator's {KAAPANA_BUILD_VERSION} becomes, the example chart's version for
// the DAG image); and the 0.1.x example's README points 0.6.0 authors to the 0.6.0 example.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

/** The first ```yaml block after `marker`. */
function block(text: string, marker: string): Record<string, unknown> {
  const at = text.indexOf(marker);
  expect(at, marker).toBeGreaterThanOrEqual(0);
  const m = /```yaml\n([\s\S]*?)```/.exec(text.slice(at));
  expect(m, `yaml block after ${marker}`).not.toBeNull();
  expect(m![1]!.trim().split('\n')).toHaveLength(5);
  return parse(m![1]!) as Record<string, unknown>;
}

it('README and the 0.6.0 example say what a 0.6.0 author sets, in the same five lines', () => {
  const top = block(read('README.md'), 'A Kaapana 0.6.0 author sets');
  const example = block(read('examples/otsu-kaapana-0.6/README.md'), 'What a 0.6.0 author sets (five lines)');
  const keys = ['platform-version', 'version', 'chart-version', 'registry', 'kaapana-source'];
  expect(Object.keys(top)).toEqual(keys);
  expect(Object.keys(example)).toEqual(keys);
  const action = parse(read('action-build-images/action.yml')) as { inputs: Record<string, unknown> };
  for (const k of keys) expect(action.inputs, k).toHaveProperty([k]);
  for (const b of [top, example]) {
    expect(String(b['platform-version'])).toBe('0.6.0');
    const chart = parse(read('examples/otsu-kaapana-0.6/extension/kx-otsus-method-workflow/Chart.yaml')) as {
      version: string;
    };
    expect(String(b['chart-version'])).toBe(chart.version);
  }
  expect(read('examples/threshold-segmentation/README.md')).toContain('../otsu-kaapana-0.6/');
});

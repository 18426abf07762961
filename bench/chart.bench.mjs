#!/usr/bin/env node
// Benchmark of the chart engine (run by `npm run bench` or `node bench/chart.bench.mjs`; needs
// `npm run build` for packages/core/lib): `packageChart` on a chart of 1 000 template files against a
// plain `tar czf` of the same tree, measured in the same run (median of several rounds after a
// warm-up), plus the load-only and archive-write parts and the resulting sizes.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDir, packageChart, writeChartArchive } from '@kaapana-ext/core/chart';

const TEMPLATES = 1000;
const ROUNDS = Number(process.env.KX_BENCH_ROUNDS ?? 7);

const work = mkdtempSync(join(tmpdir(), 'kx-chart-bench-'));
const chart = join(work, 'big-chart');
mkdirSync(join(chart, 'templates'), { recursive: true });
writeFileSync(
  join(chart, 'Chart.yaml'),
  'apiVersion: v2\nname: big-chart\nversion: 1.0.0\ndescription: 1000 templates\n',
);
writeFileSync(join(chart, 'values.yaml'), 'global:\n  image: bench\n  replicas: 1\n');
writeFileSync(join(chart, '.helmignore'), '.git/\n*.swp\n');
for (let i = 0; i < TEMPLATES; i++) {
  const body = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm-${i}\n  labels:\n    app: {{ .Chart.Name }}\ndata:\n${Array.from({ length: 20 }, (_, k) => `  key${k}: "value ${i}-${k} {{ .Values.global.image }}"`).join('\n')}\n`;
  writeFileSync(join(chart, 'templates', `cm-${String(i).padStart(4, '0')}.yaml`), body);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function measure(fn) {
  await fn(); // warm-up
  const times = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

const out = join(work, 'out');
const tarOut = join(work, 'tar.tgz');
const tarMs = await measure(() => {
  const r = spawnSync('tar', ['czf', tarOut, '-C', work, 'big-chart']);
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
});
let pkgPath = '';
const pkgMs = await measure(async () => {
  pkgPath = (await packageChart(chart, { destination: out })).path;
});
const loadMs = await measure(() => loadDir(chart));
const loaded = await loadDir(chart);
const writeMs = await measure(() => writeChartArchive(loaded));

const fmt = (ms) => `${ms.toFixed(1)} ms`;
console.log(`chart of ${TEMPLATES} templates, median of ${ROUNDS} rounds after a warm-up (node ${process.version})`);
console.log(`  tar czf (baseline)        ${fmt(tarMs)}   ${statSync(tarOut).size} bytes`);
console.log(
  `  packageChart              ${fmt(pkgMs)}   ${statSync(pkgPath).size} bytes   ratio ${(pkgMs / tarMs).toFixed(2)}× tar czf`,
);
console.log(`    of which loadDir        ${fmt(loadMs)}`);
console.log(`    of which archive write  ${fmt(writeMs)} (in memory)`);
rmSync(work, { recursive: true, force: true });

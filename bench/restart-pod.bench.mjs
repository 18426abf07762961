#!/usr/bin/env node
// Benchmark of action-restart-pod's building blocks against the fake Kubernetes API server
// (test/kube): the cost of one kubectl process (baseline: `kubectl version --client`, no network),
// one API call, each restart strategy end to end (pods become ready after `readyMs` = 100 ms, so
// the wait itself is part of the figure), and the tool-cache install of kubectl (download + sha256
// + cache) against a cached lookup. Prints medians of N runs and ratios to the baseline.
//   node bench/restart-pod.bench.mjs [runs]      (needs `npm run build` for packages/core/lib)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const kube = await import(pathToFileURL(join(root, 'packages/core/lib/kube/index.js')).href);
const { startFakeKubeApi } = await import(pathToFileURL(join(root, 'test/kube/fake-api-server.mjs')).href);
const runs = Number(process.argv[2] ?? 5);
// @actions/tool-cache logs `::debug::` lines on stdout; keep the report readable.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => (String(chunk).startsWith('::debug::') ? true : write(chunk, ...rest));
const work = mkdtempSync(join(tmpdir(), 'kx-bench-restart-'));
const kubectlPath = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();

async function median(fn) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const rows = [];
const report = (name, ms, base) => rows.push([name, ms, base ? ms / base : undefined]);

try {
  const baseline = await median(() => execFileSync(kubectlPath, ['version', '--client'], { stdio: 'ignore' }));
  report('kubectl version --client (baseline)', baseline);

  const api = await startFakeKubeApi({ readyMs: 100 });
  const kc = api.writeKubeconfig(join(work, 'kubeconfig'));
  const k = (ns) => new kube.Kubectl({ path: kubectlPath, kubeconfig: kc, namespace: ns, cacheDir: join(work, 'cache'), log: () => {} });
  const ctx = (ns) => ({ kubectl: k(ns), timeoutMs: 60_000, pollMs: 100, log: () => {} });
  api.seedJob({ name: 'copy-kube-helm-collections' });
  api.seedDeployment({ name: 'kube-helm-deployment', namespace: 'admin', labels: { 'app.kubernetes.io/name': 'kube-helm' } });
  api.seedService({ name: 'kube-helm-service', namespace: 'admin', port: 5000, handler: () => ({ status: 202, body: { message: 'ok' } }) });

  report('kubectl get pods -o json (1 API call, cached discovery)', await median(() => k('default').run(['get', 'pods', '-o', 'json'])), baseline);
  report('delete-pods (job pod replaced, readyMs 100)', await median(() => kube.restart(ctx('default'), { strategy: 'delete-pods' })), baseline);
  report('rollout deployment (readyMs 100)', await median(async () => {
    await kube.restart(ctx('admin'), { strategy: 'rollout', resource: 'deployment/kube-helm-deployment' });
    await new Promise((r) => setTimeout(r, 1000)); // rollout restart stamps seconds: one restart per second
  }) - 1000, baseline);
  report('kube-helm /update-extensions via service proxy', await median(() => kube.restart(ctx('admin'), { strategy: 'kube-helm' })), baseline);
  await api.close();

  // tool-cache install of kubectl from a loopback server
  const binary = realpathSync(kubectlPath);
  const sha = createHash('sha256').update(readFileSync(binary)).digest('hex');
  const server = createServer((req, res) => {
    if (req.url?.endsWith('/kubectl')) createReadStream(binary).pipe(res);
    else if (req.url?.endsWith('/kubectl.sha256')) res.end(sha);
    else res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  let n = 0;
  report('kubectl install: download + sha256 + cache', await median(() => kube.resolveKubectl({ version: `1.32.${100 + n++}`, baseUrl: base, toolCacheDir: join(work, 'tc'), tempDir: join(work, 'tmp') })), baseline);
  report('kubectl install: cached', await median(() => kube.resolveKubectl({ version: '1.32.100', baseUrl: base, toolCacheDir: join(work, 'tc'), tempDir: join(work, 'tmp') })), baseline);
  server.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`restart-pod (median of ${runs} runs; kubectl ${kubectlPath})`);
for (const [name, ms, ratio] of rows) {
  console.log(`  ${name.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms${ratio === undefined ? '' : `  ${ratio.toFixed(1)}× baseline`}`);
}

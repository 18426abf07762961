#!/usr/bin/env node
// Benchmark of action-restart-pod's building blocks against the fake Kubernetes API server
// (test/kube): the cost of one kubectl process (baseline: `kubectl version --client`, no network),
// one API call, each restart strategy end to end (pods become ready after `readyMs` = 100 ms, so
// the wait itself is part of the figure), and the tool-cache install of kubectl (download + sha256
// + cache) against a cached lookup. Prints medians of N runs and ratios to the baseline.
// Then the reload that proves itself against the Kaapana platform simulator (test/kaapana-platform,
// 0.6.0, collection image in the real registry): kube-helm's /update-extensions + waiting for the new
// copy Job + /extensions listing the chart, through kubectl, against the simulator's own minimum for
// the same reload (the same calls made in-process, polled every 5 ms), as a ratio.
//   node bench/restart-pod.bench.mjs [runs]      (needs `npm run build` for packages/core/lib and packages/actions-kit/lib)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const kube = await import(pathToFileURL(join(root, 'packages/core/lib/kube/index.js')).href);
// kubectl's tool-cache install is Actions glue: it lives in the actions kit, not the domain package.
const tools = await import(pathToFileURL(join(root, 'packages/actions-kit/lib/tools/index.js')).href);
const { startFakeKubeApi } = await import(pathToFileURL(join(root, 'test/kube/fake-api-server.mjs')).href);
const { startKaapanaPlatform } = await import(pathToFileURL(join(root, 'test/kaapana-platform/index.mjs')).href);
const fixtures = await import(pathToFileURL(join(root, 'test/kaapana-platform/fixtures.mjs')).href);
const registry = process.env.KX_REGISTRY ?? '127.0.0.1:5000';
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
  const k = (ns) =>
    new kube.Kubectl({
      path: kubectlPath,
      kubeconfig: kc,
      namespace: ns,
      cacheDir: join(work, 'cache'),
      log: () => {},
    });
  const ctx = (ns) => ({ kubectl: k(ns), timeoutMs: 60_000, pollMs: 100, log: () => {} });
  api.seedDeployment({ name: 'web', namespace: 'default', labels: { app: 'web' } });
  api.seedDeployment({
    name: 'kube-helm-deployment',
    namespace: 'admin',
    labels: { 'app.kubernetes.io/name': 'kube-helm' },
  });
  api.seedService({
    name: 'kube-helm-service',
    namespace: 'admin',
    port: 5000,
    handler: () => ({ status: 202, body: { message: 'ok' } }),
  });

  report(
    'kubectl get pods -o json (1 API call, cached discovery)',
    await median(() => k('default').run(['get', 'pods', '-o', 'json'])),
    baseline,
  );
  report(
    'delete-pods (deployment pod replaced, readyMs 100)',
    await median(() => kube.restart(ctx('default'), { strategy: 'delete-pods', selector: 'app=web' })),
    baseline,
  );
  report(
    'rollout deployment (readyMs 100)',
    (await median(async () => {
      await kube.restart(ctx('admin'), { strategy: 'rollout', resource: 'deployment/kube-helm-deployment' });
      await new Promise((r) => setTimeout(r, 1000)); // rollout restart stamps seconds: one restart per second
    })) - 1000,
    baseline,
  );
  report(
    'kube-helm /update-extensions via service proxy (call only)',
    await median(() => kube.restart(ctx('admin'), { strategy: 'kube-helm', verify: false })),
    baseline,
  );
  await api.close();

  // Reload + verification against the simulator vs the simulator's own reload time.
  const ref = `${registry}/14-bench-${Date.now().toString(36)}/kaapana-extension-collection:0.6.0`;
  await fixtures.pushImage(
    ref,
    fixtures.collectionFiles('0.6.0', { 'bench-workflow-0.1.0.tgz': await fixtures.workflowChart('bench-workflow') }),
  );
  const timing = { refreshDelayMs: 1000, listTimerMs: 200, copyMs: 300, pullBackoffMs: 200, hookTimeoutMs: 5000 };
  const platform = await startKaapanaPlatform({ generation: '0.6.0', collections: [ref], timing });
  const pkc = platform.api.writeKubeconfig(join(work, 'platform-kubeconfig'));
  const pk = new kube.Kubectl({
    path: kubectlPath,
    kubeconfig: pkc,
    namespace: 'admin',
    cacheDir: join(work, 'pcache'),
    log: () => {},
  });
  const listed = async () => ((await platform.extensions.get()) ?? []).some((e) => e.name === 'bench-workflow');
  const settle = async () => {
    // Start each run from a settled platform: a completed copy Job and a list older than the cache.
    while (!platform.copyJobs().every((j) => j.status?.succeeded === 1)) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, timing.refreshDelayMs));
  };
  /** Median of `runs` timings of `fn`, each after settle() (not timed). */
  const timed = async (fn) => {
    const times = [];
    for (let i = 0; i < runs; i++) {
      await settle();
      const t = performance.now();
      await fn();
      times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  };
  const own = await timed(async () => {
    const before = new Set(platform.copyJobs().map((j) => j.metadata.name));
    await platform.dispatch({
      method: 'GET',
      path: '/update-extensions',
      query: new URLSearchParams(),
      headers: {},
      body: Buffer.alloc(0),
    });
    while (
      !platform.copyJobs().some((j) => !before.has(j.metadata.name) && j.status?.succeeded === 1) ||
      !(await listed())
    )
      await new Promise((r) => setTimeout(r, 5));
  });
  report('simulator reload delay (in-process, polled every 5 ms)', own);
  const verified = await timed(() =>
    kube.restart(
      { kubectl: pk, timeoutMs: 60_000, pollMs: 100, log: () => {} },
      { strategy: 'kube-helm', platformVersion: '0.6.0', expectCharts: ['bench-workflow-0.1.0'] },
    ),
  );
  report('kube-helm reload + verification (kubectl, poll 100 ms)', verified);
  rows.push(['reload + verification / simulator reload delay', verified, verified / own, 'ratio']);
  await platform.close();

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
  report(
    'kubectl install: download + sha256 + cache',
    await median(() =>
      tools.resolveKubectl({
        version: `1.32.${100 + n++}`,
        baseUrl: base,
        toolCacheDir: join(work, 'tc'),
        tempDir: join(work, 'tmp'),
      }),
    ),
    baseline,
  );
  report(
    'kubectl install: cached',
    await median(() =>
      tools.resolveKubectl({
        version: '1.32.100',
        baseUrl: base,
        toolCacheDir: join(work, 'tc'),
        tempDir: join(work, 'tmp'),
      }),
    ),
    baseline,
  );
  server.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(`restart-pod (median of ${runs} runs; kubectl ${kubectlPath})`);
for (const [name, ms, ratio, kind] of rows) {
  if (kind === 'ratio') console.log(`  ${name.padEnd(58)} ${ratio.toFixed(2).padStart(8)}×`);
  else
    console.log(
      `  ${name.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms${ratio === undefined ? '' : `  ${ratio.toFixed(1)}× baseline`}`,
    );
}

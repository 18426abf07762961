#!/usr/bin/env node
// The main job (`npm run demo`, which wraps this in scripts/with-services.sh): publishes the example
// extension examples/threshold-segmentation end to end against the real local registry, with the
// kaapana-ext CLI running the four actions exactly as a GitHub runner would:
//   build-images (processing container + DAG image; the local-only bases — Node runtime,
//                 dag-installer — are built offline from staged contexts, never pushed)
//   → package-chart (workflow chart with its dag-installer-chart dependency)
//   → update-collection (bump the collection fixture, build + push kaapana-extension-collection:kp_…)
//   → restart-pod (kube-helm's /update-extensions on the simulated Kaapana 0.1.3 platform of
//                 test/kaapana-platform, verified: the new copy Job pulled the collection from the
//                 registry and kube-helm's /extensions lists the chart).
// Then the same chart archive in a 0.6.0-style collection image (/kaapana/tmp/extensions/, as
// base-installer reads it) reloaded into a simulated 0.6.0 platform with `kaapana-ext restart-pod`.
// On both platforms the chart must be listed by GET /extensions and pass helm's install check (all
// dependencies in charts/). Then prints where everything went and writes .tmp/demo/result.json. Idempotent: the collection
// work copy in .tmp/demo is kept (a rerun reports changed=false) and existing images are skipped.
// Options: --fresh (start from a fresh copy of the collection fixture).
// Environment: KX_REGISTRY (host:port, default 127.0.0.1:5000), KX_DEMO_REPO (repository prefix,
// default kaapana-ext-demo), KX_DEMO_WORK (work dir, default <repo>/.tmp/demo).
import { spawn, spawnSync } from 'node:child_process';
import { cp, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(root, 'examples/threshold-segmentation');
const registryHost = process.env.KX_REGISTRY ?? '127.0.0.1:5000';
const repoPrefix = process.env.KX_DEMO_REPO ?? 'kaapana-ext-demo';
const registry = `${registryHost}/${repoPrefix}`;
const work = process.env.KX_DEMO_WORK ?? join(root, '.tmp', 'demo');
const fresh = process.argv.includes('--fresh');
const PLATFORM_VERSION = '0.1.3';

const say = (s = '') => process.stderr.write(`${s}\n`);
/** Path as a person would type it from here: relative inside the current dir, else absolute. */
const rel = (p) => {
  const r = relative(process.cwd(), p);
  return r === '' ? '.' : r.startsWith('..') ? p : r;
};

function fail(message) {
  say(`demo: ${message}`);
  process.exit(1);
}

async function exists(p) {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

function runQuiet(cmd, args, what) {
  // The child's stdout goes to our stderr: stdout carries only the final report.
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 2, 'inherit'] });
  if (r.status !== 0) fail(`${what} failed (${cmd} ${args.join(' ')} exited ${r.status ?? r.signal})`);
}

async function preflight() {
  try {
    const res = await fetch(`http://${registryHost}/v2/`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (e) {
    fail(`no registry at ${registryHost} (${e.message}); run through \`npm run demo\`, which starts one`);
  }
  if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0) {
    fail('docker is not reachable; run through `npm run demo`, which starts dockerd');
  }
  for (const a of ['build-images', 'package-chart', 'update-collection', 'restart-pod']) {
    if (!(await exists(join(root, `action-${a}`, 'action.yml'))))
      fail(`action-${a}/action.yml is missing: that action is not in this checkout yet`);
  }
}

/** Everything the offline build needs that git does not carry: the CLI build and the staged bases. */
async function prepare() {
  say('▶ preparing: TypeScript build of the CLI, offline base image contexts');
  runQuiet('npx', ['tsc', '-b', 'tsconfig.build.json'], 'the TypeScript build');
  runQuiet(process.execPath, [join(example, 'prepare-offline-bases.mjs')], 'staging busybox for the local-only bases');
  const algorithmPkg = JSON.parse(await readFile(join(root, 'algorithm/package.json'), 'utf8'));
  // The processing container: its offline Node base (the machine's node + libs) and its app/ dir.
  for (const [script, what] of [
    ['container-base', 'staging the local-only Node base of the processing container'],
    ['container-context', 'staging the processing container (kaapana-otsu and its dependencies)'],
  ]) {
    if (algorithmPkg.scripts?.[script])
      runQuiet('npm', ['run', '--silent', script, '-w', '@kaapana-ext/algorithm'], what);
    else say(`  (algorithm has no ${script} script: skipped ${what})`);
  }
  const collection = join(work, 'collection');
  if (fresh) await rm(work, { recursive: true, force: true });
  if (!(await exists(join(collection, 'kaapana-collection')))) {
    // Keep the fixture's relative layout so its file:// repositories (../../platform/...) resolve.
    await mkdir(work, { recursive: true });
    await cp(join(example, 'collection', 'kaapana-collection'), join(collection, 'kaapana-collection'), {
      recursive: true,
    });
    await cp(join(example, 'platform'), join(work, 'platform'), { recursive: true });
    say(`  collection work copy: ${rel(join(collection, 'kaapana-collection'))}`);
  } else {
    say(`  reusing collection work copy ${rel(join(collection, 'kaapana-collection'))} (--fresh starts over)`);
  }
  return { collectionDir: join(collection, 'kaapana-collection') };
}

/** Kaapana's delays scaled down for the demo (real: 30 s list cache, 5 s timer, 10 s pull back-off). */
const DEMO_TIMING = { refreshDelayMs: 2000, listTimerMs: 500, copyMs: 300, pullBackoffMs: 1000, hookTimeoutMs: 15_000 };

async function startPlatform(generation, collectionRef) {
  const { startKaapanaPlatform } = await import(join(root, 'test/kaapana-platform/index.mjs'));
  return startKaapanaPlatform({ generation, collections: [collectionRef], timing: DEMO_TIMING });
}

/** What the platform offers: the chart in GET /extensions (through the ingress) and helm's install check of its archive. */
async function platformOffers(platform, chartId) {
  const { installCheck } = await import(join(root, 'test/kaapana-platform/index.mjs'));
  const res = await fetch(`${platform.url}/kube-helm-api/extensions`, {
    headers: { Authorization: `Bearer ${platform.token}` },
  });
  const list = await res.json();
  const listed = list.some((e) =>
    (e.versions ?? [e.version]).some((v) => `${e.chart_name ?? e.name}-${v}` === chartId),
  );
  let installable = 'not in the extensions directory';
  try {
    const chart = await installCheck(await readFile(join(platform.extensionsDir, `${chartId}.tgz`)), `${chartId}.tgz`);
    installable = `loads with all dependencies (${chart.subcharts.map((c) => c.metadata.name).join(', ') || 'none'})`;
  } catch (e) {
    installable = e.code === 'ENOENT' ? installable : e.message;
  }
  return { listed, installable, ok: listed && installable.startsWith('loads') };
}

function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'packages/cli/bin/kaapana-ext.js'), ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const out = [];
    child.stdout.on('data', (c) => out.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8') }));
  });
}

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** Asks the registry itself for every reported ref: the digest it serves must be the reported one. */
async function verifyInRegistry(result) {
  const refs = [];
  for (const i of outputsOf(result, 'build-images').images ?? [])
    if (!i.localOnly && i.digest) refs.push([i.ref, i.digest]);
  const coll = outputsOf(result, 'update-collection');
  if (coll.image && coll.digest) refs.push([`${coll.image}:${coll.tag}`, coll.digest]);
  const problems = [];
  for (const [ref, digest] of refs) {
    const path = ref.slice(registryHost.length + 1);
    const colon = path.lastIndexOf(':');
    const res = await fetch(`http://${registryHost}/v2/${path.slice(0, colon)}/manifests/${path.slice(colon + 1)}`, {
      method: 'HEAD',
      headers: { Accept: MANIFEST_ACCEPT },
    });
    const served = res.headers.get('docker-content-digest');
    if (!res.ok || served !== digest)
      problems.push(`${ref}: registry serves ${res.ok ? served : `HTTP ${res.status}`}, reported ${digest}`);
  }
  return { checked: refs.length, problems };
}

async function writeJsonAtomic(path, value) {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  await rename(tmp, path);
}

function outputsOf(result, step) {
  return result.steps.find((s) => s.step === step)?.outputs ?? {};
}

function printReport(result, collectionDir, platforms) {
  const images = outputsOf(result, 'build-images').images ?? [];
  const packages = outputsOf(result, 'package-chart').packages ?? [];
  const coll = outputsOf(result, 'update-collection');
  const out = [];
  out.push('', `Published examples/threshold-segmentation to ${registry}`, '');
  out.push('Images:');
  for (const i of images) {
    const where = i.localOnly ? `${i.ref ?? i.name} (local-only, not pushed)` : i.ref;
    out.push(`  ${String(i.status ?? '').padEnd(10)} ${where}${i.digest ? `@${i.digest}` : ''}`);
  }
  out.push('', 'Chart archives:');
  for (const p of packages)
    out.push(`  ${p.name}-${p.version}: ${rel(p.path)}${p.sha256 ? ` (sha256 ${p.sha256})` : ''}`);
  out.push('', 'Collection:');
  out.push(`  dependency list: ${rel(join(collectionDir, 'requirements.yaml'))} (changed: ${coll.changed ?? '?'})`);
  if (coll.image) out.push(`  image: ${coll.image}:${coll.tag}${coll.digest ? `@${coll.digest}` : ''}`);
  if (Array.isArray(coll.charts)) out.push(`  charts in the image: ${coll.charts.join(', ')}`);
  for (const p of platforms) {
    const r = p.restarted;
    out.push(
      '',
      `Kaapana ${p.version} (simulated platform, kube-helm in ${p.platform.gen.kubeHelmNamespace}; ${p.note}):`,
    );
    if (r) {
      out.push(`  reload: ${r.strategy} GET /update-extensions → ${r.status ?? '?'} ${r.reply ?? ''}`.trimEnd());
      if (r.job) out.push(`  copy Job ${r.jobNamespace}/${r.job} completed (pod/${r.pod} ${r.podState ?? ''})`);
      if (r.charts) out.push(`  GET /extensions lists: ${r.charts.join(', ')}`);
    }
    out.push(`  ${p.chart}: ${p.offers.listed ? 'listed' : 'NOT listed'}, ${p.offers.installable}`);
  }
  out.push('', 'Steps:');
  for (const s of result.steps)
    out.push(`  ${s.ok ? '✓' : '✗'} ${s.step.padEnd(18)} ${(s.durationMs / 1000).toFixed(1).padStart(6)}s`);
  out.push('', `Result: ${rel(join(work, 'result.json'))}`);
  process.stdout.write(out.join('\n') + '\n');
}

async function main() {
  await preflight();
  const { collectionDir } = await prepare();
  const collectionRef = `${registry}/kaapana-extension-collection:kp_${PLATFORM_VERSION}__0.1.0`;
  const platform01 = await startPlatform('0.1.x', collectionRef);
  let platform06;
  try {
    const args = [
      'publish',
      '--json',
      '--restart',
      '--registry',
      registry,
      '--tag-style',
      'kp',
      '--platform-version',
      PLATFORM_VERSION,
      '--skip-existing',
      // build-images: the extension's images; the collection is built by update-collection.
      '--build-images.context',
      rel(example),
      '--build-images.ignore',
      'collection',
      // package-chart: the workflow chart (its dag-installer-chart dependency is a file:// chart).
      '--chart',
      rel(join(example, 'extension/threshold-segmentation-workflow')),
      '--package-chart.destination',
      rel(join(work, 'charts')),
      // update-collection: the work copy of the collection fixture; its local-only base.
      '--collection-dir',
      rel(collectionDir),
      '--update-collection.context',
      rel(join(example, 'collection/base-charts-manager')),
      // restart-pod: kube-helm reload of the simulated 0.1.3 platform, verified against the chart
      // update-collection reports (expect-charts, wired by publish).
      '--strategy',
      'kube-helm',
      '--poll-interval',
      '250ms',
      '--summary-file',
      join(work, 'summary.md'),
    ];
    say(`▶ kaapana-ext ${args.join(' ')}`);
    const { code, stdout } = await runCli(args, { KAAPANA_EXT_KUBECONFIG: platform01.api.kubeconfig() });
    let result;
    try {
      result = JSON.parse(stdout);
    } catch {
      fail(`the CLI printed no JSON result (exit ${code})`);
    }
    const verified = await verifyInRegistry(result);
    const pkg = (outputsOf(result, 'package-chart').packages ?? [])[0];
    const chartId = pkg ? `${pkg.name}-${pkg.version}` : '';
    const platforms = [];
    if (pkg && code === 0 && result.ok) {
      platforms.push({
        version: PLATFORM_VERSION,
        platform: platform01,
        note: 'collection built by update-collection',
        chart: chartId,
        restarted: outputsOf(result, 'restart-pod').restarted,
        offers: await platformOffers(platform01, chartId),
      });
      // A 0.6.0-style collection from what exists: the same archive where base-installer's run.py
      // reads it, pushed through the Registry API; then a kube-helm reload of a 0.6.0 platform.
      const { pushImage } = await import(join(root, 'test/kaapana-platform/fixtures.mjs'));
      const ref06 = `${registry}/kaapana-extension-collection:0.6.0`;
      await pushImage(ref06, { [`/kaapana/tmp/extensions/${chartId}.tgz`]: await readFile(pkg.path) });
      platform06 = await startPlatform('0.6.0', ref06);
      const r06 = [
        'restart-pod',
        '--json',
        '--platform-version',
        '0.6.0',
        '--expect-charts',
        chartId,
        '--poll-interval',
        '250ms',
      ];
      say(`▶ kaapana-ext ${r06.join(' ')}`);
      const run06 = await runCli(r06, { KAAPANA_EXT_KUBECONFIG: platform06.api.kubeconfig() });
      let restarted06;
      try {
        const j = JSON.parse(run06.stdout);
        restarted06 = j.outputs?.restarted ?? j.steps?.[0]?.outputs?.restarted;
      } catch {
        restarted06 = undefined;
      }
      if (typeof restarted06 === 'string') restarted06 = JSON.parse(restarted06);
      platforms.push({
        version: '0.6.0',
        platform: platform06,
        note: '0.6.0-layout collection image of the same archive',
        chart: chartId,
        restarted: restarted06,
        offers: await platformOffers(platform06, chartId),
        code: run06.code,
      });
    }
    await writeJsonAtomic(join(work, 'result.json'), {
      registry,
      ...result,
      verified,
      platforms: platforms.map((p) => ({ version: p.version, chart: p.chart, ...p.offers, restarted: p.restarted })),
    });
    printReport(result, collectionDir, platforms);
    if (code !== 0 || !result.ok) fail(`publish failed (exit ${code}); see the log above`);
    if (verified.problems.length > 0)
      fail(`the registry disagrees with the reported digests:\n  ${verified.problems.join('\n  ')}`);
    const bad = platforms.filter((p) => !p.offers.ok || (p.code ?? 0) !== 0);
    if (platforms.length < 2 || bad.length > 0)
      fail(
        `the simulated platform(s) ${bad.map((p) => p.version).join(', ') || '0.6.0'} do not offer ${chartId || 'the chart'}`,
      );
    process.stdout.write(
      `Verified in the registry: ${verified.checked} manifest(s) served with the reported digests.\n`,
    );
    process.stdout.write(
      `Verified on the simulated platforms: ${chartId} listed by GET /extensions and loadable with all dependencies on Kaapana ${platforms.map((p) => p.version).join(' and ')}.\n`,
    );
  } finally {
    await platform01.close();
    await platform06?.close();
  }
}

main().catch((e) => fail(e?.stack ?? String(e)));

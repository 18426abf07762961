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
// Then the Kaapana 0.6.0 example examples/otsu-kaapana-0.6, published end to end by the same CLI:
//   build-images (kaapana-source: base-installer from the Kaapana tree, never pushed)
//   → package-chart (its dag-installer-chart: Kaapana 0.6.0's REAL chart when the reference sources
//                 are on this machine — ../shared/reference/kaapana/v0.6.0 or KX_KAAPANA_REFERENCE —
//                 else the test double's; the rest of kaapana-source is test/kaapana-double-0.6.0,
//                 since base-installer cannot be built offline from the real tree)
//   → update-collection in base-collection mode on top of "the platform's own" 0.6.0 collection
//                 image, which already carries another extension (other-app-chart)
//   → restart-pod (kube-helm reload of a simulated 0.6.0 platform, verified with expect-charts).
// On both platforms the chart must be listed by GET /extensions and pass helm's install check (all
// dependencies in charts/); on 0.6.0 the other extension must still be listed. Then prints where everything went and writes .tmp/demo/result.json. Idempotent: the collection
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
const example06 = join(root, 'examples/otsu-kaapana-0.6');
const double06 = join(root, 'test/kaapana-double-0.6.0');
const reference06 = process.env.KX_KAAPANA_REFERENCE ?? join(root, '../shared/reference/kaapana/v0.6.0');

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

function runCli(args, env, cwd = root) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'packages/cli/bin/kaapana-ext.js'), ...args], {
      cwd,
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
    if (p.othersKept !== undefined)
      out.push(`  ${OTHER06} (the platform's own extension): ${p.othersKept ? 'still listed' : 'LOST'}`);
    if (p.steps)
      out.push(
        `  steps: ${p.steps.map((s) => `${s.ok ? '✓' : '✗'} ${s.step} ${(s.durationMs / 1000).toFixed(1)}s`).join(', ')}`,
      );
  }
  out.push('', 'Steps:');
  for (const s of result.steps)
    out.push(`  ${s.ok ? '✓' : '✗'} ${s.step.padEnd(18)} ${(s.durationMs / 1000).toFixed(1).padStart(6)}s`);
  out.push('', `Result: ${rel(join(work, 'result.json'))}`);
  process.stdout.write(out.join('\n') + '\n');
}

const OTHER06 = 'other-app-chart-1.0.0';

/**
 * The 0.6.0 workspace: the example, and a kaapana-source made of the test double with Kaapana
 * 0.6.0's real dag-installer-chart in place of the double's when the reference sources are here.
 */
async function stage06() {
  const dir = join(work, 'kaapana-0.6');
  const ext = join(dir, 'ext');
  if (fresh || !(await exists(join(ext, 'processing-containers/otsus-method/app')))) {
    await rm(ext, { recursive: true, force: true });
    await cp(example06, ext, {
      recursive: true,
      filter: (src) => !/[\\/](app|node_modules)([\\/]|$)/.test(src.slice(example06.length)),
    });
    for (const [script, out] of [
      ['prepare-node-runtime.mjs', join(ext, 'processing-containers/node-runtime')],
      ['build-app.mjs', join(ext, 'processing-containers/otsus-method/app')],
    ])
      runQuiet(process.execPath, [join(root, 'algorithm/container', script), '--out', out], `staging ${rel(out)}`);
  }
  const kaapana = join(dir, 'kaapana');
  await rm(kaapana, { recursive: true, force: true });
  await cp(double06, kaapana, { recursive: true });
  await cp(
    join(double06, 'services/utils/base-installer/busybox'),
    join(kaapana, 'services/utils/base-installer/busybox'),
  );
  const realChart = join(reference06, 'services/utils/dag-installer-chart');
  const real = await exists(join(realChart, 'Chart.yaml'));
  if (real) {
    await rm(join(kaapana, 'services/utils/dag-installer-chart'), { recursive: true, force: true });
    await cp(realChart, join(kaapana, 'services/utils/dag-installer-chart'), { recursive: true });
  }
  say(
    `  0.6.0 workspace ${rel(dir)}: dag-installer-chart from ${real ? `Kaapana 0.6.0 (${rel(realChart)})` : 'the test double (no reference sources here)'}`,
  );
  return { dir, dagInstaller: real ? 'kaapana-0.6.0' : 'test-double' };
}

/** "The platform's own" 0.6.0 collection image: another extension where base-installer's run.py reads it. */
async function platformCollection06(ref) {
  const { pushImage, makeChart, collectionFiles } = await import(join(root, 'test/kaapana-platform/fixtures.mjs'));
  const other = await makeChart({ name: 'other-app-chart', version: '1.0.0', keywords: ['kaapanaapplication'] });
  await pushImage(ref, collectionFiles('0.6.0', { [`${OTHER06}.tgz`]: other }));
}

/** examples/otsu-kaapana-0.6 published by our own steps into a simulated 0.6.0 platform's collection. */
async function publish06() {
  const { dir, dagInstaller } = await stage06();
  const ref = `${registry}/kaapana-extension-collection:0.6.0`;
  await platformCollection06(ref);
  const platform = await startPlatform('0.6.0', ref);
  const args = [
    'publish',
    '--json',
    '--restart',
    '--registry',
    registry,
    '--platform-version',
    '0.6.0',
    '--kaapana-source',
    'kaapana',
    '--build-images.context',
    'ext',
    '--build-images.version',
    '0.6.0',
    '--chart-version',
    '0.0.0',
    '--skip-existing',
    '--chart',
    'ext/extension/kx-otsus-method-workflow',
    '--package-chart.destination',
    'charts',
    // update-collection: add our chart to the platform's own image; no collection chart in this tree.
    '--base-collection',
    ref,
    '--update-collection.collection-dir',
    'no-collection-chart',
    '--strategy',
    'kube-helm',
    '--poll-interval',
    '250ms',
    '--summary-file',
    join(work, 'summary-0.6.0.md'),
  ];
  say(`▶ (in ${rel(dir)}) kaapana-ext ${args.join(' ')}`);
  const { code, stdout } = await runCli(args, { KAAPANA_EXT_KUBECONFIG: platform.api.kubeconfig() }, dir);
  let result;
  try {
    result = JSON.parse(stdout);
  } catch {
    result = { ok: false, steps: [] };
  }
  const pkg = (outputsOf(result, 'package-chart').packages ?? [])[0];
  const chart = pkg ? `${pkg.name}-${pkg.version}` : 'kx-otsus-method-workflow-0.0.0';
  const offers = await platformOffers(platform, chart);
  const others = await platformOffers(platform, OTHER06);
  return {
    platform,
    result: { ok: result.ok, dagInstaller, steps: result.steps },
    entry: {
      version: '0.6.0',
      platform,
      note: `examples/otsu-kaapana-0.6 published by build-images, package-chart, update-collection (base-collection), restart-pod; dag-installer-chart: ${dagInstaller}`,
      chart,
      restarted: outputsOf(result, 'restart-pod').restarted,
      offers,
      othersKept: others.listed,
      steps: result.steps,
      code: code === 0 && result.ok ? 0 : code || 1,
    },
  };
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
    let results06;
    if (pkg && code === 0 && result.ok) {
      platforms.push({
        version: PLATFORM_VERSION,
        platform: platform01,
        note: 'collection built by update-collection',
        chart: chartId,
        restarted: outputsOf(result, 'restart-pod').restarted,
        offers: await platformOffers(platform01, chartId),
      });
      const r06 = await publish06();
      platform06 = r06.platform;
      platforms.push(r06.entry);
      results06 = r06.result;
    }
    await writeJsonAtomic(join(work, 'result.json'), {
      registry,
      ...result,
      verified,
      ...(results06 ? { kaapana06: results06 } : {}),
      platforms: platforms.map((p) => ({
        version: p.version,
        chart: p.chart,
        ...p.offers,
        ...(p.othersKept !== undefined ? { othersKept: p.othersKept } : {}),
        restarted: p.restarted,
      })),
    });
    printReport(result, collectionDir, platforms);
    if (code !== 0 || !result.ok) fail(`publish failed (exit ${code}); see the log above`);
    if (verified.problems.length > 0)
      fail(`the registry disagrees with the reported digests:\n  ${verified.problems.join('\n  ')}`);
    const bad = platforms.filter((p) => !p.offers.ok || (p.code ?? 0) !== 0 || p.othersKept === false);
    if (platforms.length < 2 || bad.length > 0)
      fail(
        `the simulated platform(s) ${bad.map((p) => p.version).join(', ') || '0.6.0'} do not offer ${chartId || 'the chart'}`,
      );
    process.stdout.write(
      `Verified in the registry: ${verified.checked} manifest(s) served with the reported digests.\n`,
    );
    process.stdout.write(
      `Verified on the simulated platforms: ${platforms.map((p) => `${p.chart} on Kaapana ${p.version}`).join(' and ')} listed by GET /extensions and loadable with all dependencies; on 0.6.0 the platform's other extension ${OTHER06} is still listed.\n`,
    );
  } finally {
    await platform01.close();
    await platform06?.close();
  }
}

main().catch((e) => fail(e?.stack ?? String(e)));

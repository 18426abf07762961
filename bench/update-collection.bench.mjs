#!/usr/bin/env node
// Benchmark of action-update-collection (run by `npm run bench`, inside scripts/with-services.sh;
// needs `npm run build` for packages/core/lib and the committed bundle).
//   (a) comment-preserving edit of Kaapana 0.1.x's requirements.yaml (20 entries): add, and the
//       idempotent re-run; then a generated list of 2000 entries (scaling);
//   (b) the seed's step 4.2 by hand — `docker build` + `docker push` of the collection image whose
//       charts/ is already packaged — against the bundled action doing the whole step (edit, dep
//       update, build, push, read-back verification) on the same tree; target: overhead ≤ 1 s;
//   (c) the read-back verification alone (manifest + layers through the registry API).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { listImageCharts, upsertDependency } from '@kaapana-ext/core/collection';
import { packageChart } from '@kaapana-ext/core/chart';

const root = resolve(import.meta.dirname, '..');
const registry = process.env.KX_REGISTRY ?? '127.0.0.1:5000';
const env = { ...process.env, DOCKER_BUILDKIT: '0' };
const ref01 = readFileSync(
  join(root, 'packages/core/test/collection/testdata/v0.1.x/kaapana-collection/requirements.yaml'),
  'utf8',
);

function sh(cmd, args, opts = {}) {
  return new Promise((res, rej) => {
    const p = spawn(cmd, args, { env: { ...env, ...opts.env }, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) =>
      code === 0 ? res(out) : rej(new Error(`${cmd} ${args.join(' ')} → ${code}\n${out.slice(-3000)}`)),
    );
  });
}

const now = () => performance.now();
async function timed(fn) {
  const t = now();
  await fn();
  return now() - t;
}
function perCall(fn, n) {
  for (let i = 0; i < Math.min(50, n); i++) fn(); // warm-up
  const t = now();
  for (let i = 0; i < n; i++) fn();
  return (now() - t) / n;
}

// (a) edits
const dep = {
  name: 'example-threshold-segmentation-workflow',
  version: '0.1.0',
  repository: 'file://../../templates_and_examples/x',
};
const added = upsertDependency(ref01, 'requirements.yaml', dep).text;
const big =
  '---\n# generated\ndependencies:\n' +
  Array.from(
    { length: 2000 },
    (_, i) => `  - name: chart-${i}\n    version: "1.0.${i}"\n    repository: file://../../c/${i}\n`,
  ).join('');
const edit = {
  addMs: perCall(() => upsertDependency(ref01, 'requirements.yaml', dep), 500),
  rerunMs: perCall(() => upsertDependency(added, 'requirements.yaml', dep), 500),
  add2000Ms: perCall(() => upsertDependency(big, 'requirements.yaml', dep), 20),
  bump2000Ms: perCall(() => upsertDependency(big, 'requirements.yaml', { name: 'chart-1000', version: '2.0.0' }), 20),
};

// (b) by hand vs the action, on fresh trees (unique chart content, so no build cache answers)
const base = mkdtempSync(join(tmpdir(), 'kx-bench-coll-'));
let trial = 0;
function tree() {
  const dir = join(base, `t${trial++}`);
  const nonce = `${Date.now()}-${trial}`;
  mkdirSync(join(dir, 'services/base-charts-manager'), { recursive: true });
  copyFileSync(process.env.KX_BUSYBOX ?? '/bin/busybox', join(dir, 'services/base-charts-manager/busybox'));
  writeFileSync(
    join(dir, 'services/base-charts-manager/Dockerfile'),
    'FROM scratch\nLABEL REGISTRY="local-only"\nLABEL IMAGE="base-charts-manager"\nLABEL VERSION="0.1.0"\nCOPY busybox /bin/busybox\n',
  );
  const charts = [];
  for (let i = 0; i < 8; i++) {
    const c = join(dir, `services/app-${i}/app-${i}-chart`);
    mkdirSync(join(c, 'templates'), { recursive: true });
    writeFileSync(join(c, 'Chart.yaml'), `apiVersion: v1\nname: app-${i}-chart\nversion: 1.0.${i}\n`);
    writeFileSync(join(c, 'values.yaml'), `nonce: "${nonce}"\nblob: "${'x'.repeat(20000)}"\n`);
    writeFileSync(
      join(c, 'templates/cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}\n',
    );
    charts.push(c);
  }
  const ext = join(dir, 'extension/example-threshold-segmentation-workflow');
  mkdirSync(ext, { recursive: true });
  writeFileSync(
    join(ext, 'Chart.yaml'),
    'apiVersion: v1\nname: example-threshold-segmentation-workflow\nversion: 0.1.0\n',
  );
  writeFileSync(join(ext, 'values.yaml'), `nonce: "${nonce}"\n`);
  const coll = join(dir, 'collections/kaapana-collection');
  mkdirSync(coll, { recursive: true });
  writeFileSync(join(coll, 'Chart.yaml'), '---\napiVersion: v1\nversion: 0.1.0\nname: kaapana-extension-collection\n');
  writeFileSync(
    join(coll, 'Dockerfile'),
    'FROM local-only/base-charts-manager:0.1.0\nLABEL IMAGE="kaapana-extension-collection"\nLABEL VERSION="0.1.0"\nCOPY charts/*.tgz /tmp/\n',
  );
  writeFileSync(
    join(coll, 'requirements.yaml'),
    '---\ndependencies:\n' +
      charts
        .map(
          (c, i) =>
            `  - name: app-${i}-chart\n    version: 1.0.${i}\n    repository: file://../../services/app-${i}/app-${i}-chart\n`,
        )
        .join(''),
  );
  return { dir, coll, charts, ext };
}

async function runAction(cwd, inputs) {
  const dir = mkdtempSync(join(tmpdir(), 'kx-bench-runner-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'out'),
    GITHUB_STEP_SUMMARY: join(dir, 'sum'),
    GITHUB_STATE: join(dir, 'state'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const inputEnv = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));
  await sh(process.execPath, [join(root, 'action-update-collection/dist/index.js')], {
    cwd,
    env: { ...files, ...inputEnv },
  });
  const out = readFileSync(files.GITHUB_OUTPUT, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return out;
}

const results = { edit };
try {
  // by hand: base image, helm-dep-up-equivalent packaging done beforehand (not timed), then build + push
  const t1 = tree();
  const byHandRef = `${registry}/kx-bench-coll-hand/kaapana-extension-collection:kp_0.1.3__0.1.0`;
  await sh('docker', [
    'build',
    '-q',
    '-t',
    'local-only/base-charts-manager:0.1.0',
    join(t1.dir, 'services/base-charts-manager'),
  ]);
  for (const c of [...t1.charts, t1.ext]) await packageChart(c, { destination: join(t1.coll, 'charts') });
  results.byHandBuildPush = await timed(async () => {
    await sh('docker', ['build', '-q', '-t', byHandRef, t1.coll]);
    await sh('docker', ['push', byHandRef]);
  });
  // the action, whole step (the local base is already in the engine, as it is for the hand run)
  const t2 = tree();
  const actionRegistry = `${registry}/kx-bench-coll-action`;
  let outputs = '';
  results.actionWholeStep = await timed(async () => {
    outputs = await runAction(t2.dir, {
      'collection-dir': 'collections/kaapana-collection',
      chart: 'extension/example-threshold-segmentation-workflow',
      registry: actionRegistry,
      'tag-style': 'kp',
      'platform-version': '0.1.3',
    });
  });
  if (!/example-threshold-segmentation-workflow-0\.1\.0\.tgz/.test(outputs))
    throw new Error(`action did not report the extension chart:\n${outputs}`);
  results.verifyOnly = await timed(() =>
    listImageCharts(`${actionRegistry}/kaapana-extension-collection:kp_0.1.3__0.1.0`),
  );
  await sh('docker', [
    'image',
    'rm',
    '-f',
    byHandRef,
    `${actionRegistry}/kaapana-extension-collection:kp_0.1.3__0.1.0`,
  ]).catch(() => {});
} finally {
  rmSync(base, { recursive: true, force: true });
}

const ms = (x) => `${x.toFixed(x < 10 ? 3 : 0)} ms`;
console.log('action-update-collection benchmark (2 cores)');
console.log(
  `  (a) edit 0.1.x requirements.yaml (20 entries): add ${ms(edit.addMs)}, idempotent re-run ${ms(edit.rerunMs)}`,
);
console.log(`      2000-entry list: add ${ms(edit.add2000Ms)}, bump one ${ms(edit.bump2000Ms)}`);
console.log(`  (b) by hand: docker build + push (charts packaged beforehand)   ${ms(results.byHandBuildPush)}`);
console.log(
  `      action: edit + dep update (9 charts) + build + push + verify ${ms(results.actionWholeStep)}   overhead ${ms(results.actionWholeStep - results.byHandBuildPush)} (target ≤ 1000 ms)`,
);
console.log(`  (c) read-back verification alone                             ${ms(results.verifyOnly)}`);
console.log(JSON.stringify({ bench: 'update-collection', ...results }));

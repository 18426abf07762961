// kube-helm's GET /update-extensions and what it sets in motion, from
//   v0.1.x/services/kaapana-core/kube-helm/docker/files/backend/app/utils.py
//     execute_update_extensions, helm_install (helm_delete_prefix joined with `;`), helm_delete
//   v0.6.0/services/kaapana-admin/kube-helm/docker/files/backend/app/utils.py
//     execute_update_extensions (uninstall prefix run first, its failure only logged), helm_install
//   update-collections-chart/templates/job.yaml and delete_hook.yaml of both versions
//   v0.1.x/services/utils/base-charts-manager/files/run.py, v0.6.0/services/utils/base-installer/files/run.py
//
// For every image in KAAPANA_COLLECTIONS (`;`-terminated list): release name = cure_invalid_name of
// `<name>-<tag>`. Not installed → `helm install` (no --wait). Installed → `helm uninstall --wait
// --timeout 5m` (helm waits for the post-delete hook: Job remove-kube-helm-collections-<uuid10>,
// image IfNotPresent, ACTION=remove, deleted afterwards by its hook-delete-policy), then `helm install
// --wait`, which does not wait for Jobs. The install creates Job copy-kube-helm-collections-<uuid10>
// (restartPolicy Never, backoffLimit 0, imagePullPolicy Always). Its pod pulls the image; a missing
// image leaves it Pending in ErrImagePull/ImagePullBackOff, and the endpoint has answered 202 anyway.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { INSTALLER_TOP_DIRS, collectionReleaseName } from './generations.mjs';
import { PullError } from './image-pull.mjs';

/** helm's `uuidv4 | trunc 10`. */
const uuid10 = () => randomUUID().slice(0, 10);

/**
 * Where each file of the image lands in `<fast_data_dir>/extensions`, or a failure, as the copy
 * container's run.py decides. Returns `{ copies: [[imagePath, relTarget]], dirs: [relTarget], error? }`.
 */
export function planCopy(gen, image) {
  const src = gen.sourceDir;
  const under = (p) => p.startsWith(src) && p.length > src.length;
  const entries = [...new Set([...image.dirs].filter(under)), ...[...image.files.keys()].filter(under)].sort();
  const copies = [];
  const dirs = [];
  for (const p of entries) {
    const rel = p.slice(src.length);
    if (gen.copyRule === 'all-files') {
      // base-charts-manager run.py: glob('/tmp/**', recursive) → /extensions/<rel>, files and dirs.
      if (image.files.has(p)) copies.push([p, rel]);
      else dirs.push(rel);
      continue;
    }
    // base-installer run.py: rel.parts[0] must be a known top dir, else "Unknown relative
    // directory" and SystemExit(1); only `extensions/` is the mounted subPath (job.yaml), the rest
    // is written into the container's own filesystem and lost.
    const top = rel.split('/')[0];
    if (!INSTALLER_TOP_DIRS.has(top)) return { copies, dirs, error: `Unknown relative directory: ${rel}` };
    if (top !== 'extensions' || rel === 'extensions') continue;
    const target = rel.slice('extensions/'.length);
    if (image.files.has(p)) copies.push([p, target]);
    else dirs.push(target);
  }
  return { copies, dirs };
}

/** The Job of a release: copy (install) or remove (post-delete hook). */
function jobSpec(platform, kind, ref, run) {
  const gen = platform.gen;
  const name = `${kind === 'copy' ? 'copy' : 'remove'}-kube-helm-collections-${uuid10()}`;
  return {
    name,
    namespace: gen.jobNamespace,
    image: ref,
    containerName: name,
    imagePullPolicy: kind === 'copy' ? (platform.offlineMode ? 'IfNotPresent' : 'Always') : 'IfNotPresent',
    backoffLimit: 0,
    restartPolicy: 'Never',
    env: kind === 'copy' ? gen.copyEnv : gen.removeEnv,
    ...(kind === 'remove'
      ? {
          annotations: {
            'helm.sh/hook': 'post-delete',
            'helm.sh/hook-weight': '-5',
            'helm.sh/hook-delete-policy': 'hook-succeeded,hook-failed',
          },
        }
      : {}),
    run,
  };
}

/**
 * The container of a copy/remove Job: the kubelet pulls (ErrImagePull → ImagePullBackOff while it
 * cannot), then run.py copies into or removes from the extensions directory and exits.
 */
function containerRun(platform, kind, ref, onExit) {
  return async (pod) => {
    const policy = pod.imagePullPolicy;
    let image;
    for (let attempt = 0; ; attempt++) {
      try {
        image = await platform.node.obtain(ref, policy);
        break;
      } catch (e) {
        if (!pod.alive) return;
        const message = e instanceof PullError ? e.message : String(e?.message ?? e);
        platform.log(`kubelet: ${pod.namespace}/${pod.pod}: Failed to pull image "${ref}": ${message}`);
        pod.waiting('ErrImagePull', message);
        // The kubelet's image back-off (10 s doubling to 5 min), scaled by pullBackoffMs.
        await sleep(pod, platform.timing.pullBackoffMs);
        if (!pod.alive) return;
        pod.waiting('ImagePullBackOff', `Back-off pulling image "${ref}"`);
        await sleep(pod, platform.timing.pullBackoffMs * Math.min(2 ** attempt, 30));
        if (!pod.alive) return;
      }
    }
    pod.running();
    await sleep(pod, platform.timing.copyMs);
    if (!pod.alive) return;
    const code = await (kind === 'copy'
      ? copyCollection(platform, image, pod)
      : removeCollection(platform, image, pod));
    pod.exit(code);
    onExit?.(code);
  };
}

function sleep(pod, ms) {
  return new Promise((r) => pod.later(ms, r)).catch(() => {});
}

async function copyCollection(platform, image, pod) {
  const plan = planCopy(platform.gen, image);
  pod.log(`Apply action copy to files`);
  if (plan.error) {
    pod.log(plan.error);
    return 1;
  }
  const root = platform.extensionsDir;
  for (const d of plan.dirs) await mkdir(join(root, d), { recursive: true });
  for (const [from, to] of plan.copies) {
    const dest = join(root, to);
    await mkdir(dirname(dest), { recursive: true });
    await writeFile(dest, image.files.get(from));
    pod.log(`${from} ${join(platform.gen.generation === '0.1.x' ? '/extensions' : '/kaapana/mounted/extensions', to)}`);
  }
  pod.log(`Successfully applied action copy to all the files`);
  platform.log(`copy job ${pod.job}: ${plan.copies.length} file(s) copied into ${root}`);
  return 0;
}

async function removeCollection(platform, image, pod) {
  const plan = planCopy(platform.gen, image);
  if (plan.error) {
    pod.log(plan.error);
    return 1;
  }
  const root = platform.extensionsDir;
  for (const [, to] of plan.copies) await rm(join(root, to), { force: true });
  // Directories are removed only when no .tgz is left in them (listdir_nohidden).
  for (const d of [...plan.dirs].reverse()) {
    const left = await readdir(join(root, d)).catch(() => undefined);
    if (left && !left.some((f) => f.endsWith('.tgz'))) await rm(join(root, d), { recursive: true, force: true });
  }
  pod.log(`Successfully applied action remove to all the files`);
  platform.log(`remove hook ${pod.job}: ${plan.copies.length} file(s) removed from ${root}`);
  return 0;
}

/** `helm install` of update-collections-chart for `ref`: the release and its copy Job. */
export function installCollectionRelease(platform, ref) {
  const release = collectionReleaseName(ref);
  const spec = jobSpec(platform, 'copy', ref, containerRun(platform, 'copy', ref));
  platform.api.createJob(spec);
  platform.releases.set(release, {
    name: release,
    namespace: platform.gen.helmNamespace,
    chart: `update-collections-chart-${platform.gen.updateCollectionsChartVersion}`,
    app_version: '0.1.0',
    status: 'deployed',
    revision: '1',
    updated: new Date().toISOString(),
    values: { kube_helm_collection: ref },
    jobs: [{ namespace: spec.namespace, name: spec.name }],
  });
  platform.log(
    `helm -n ${platform.gen.helmNamespace} install ${release} --set kube_helm_collection=${ref}: job ${spec.name}`,
  );
  return { release, job: spec.name };
}

/**
 * `helm uninstall --wait --timeout 5m` of the release: its Jobs are deleted (with their pods), then
 * the post-delete hook runs and helm waits for it (up to hookTimeoutMs); the hook Job is deleted
 * afterwards either way. Resolves to `{ ok, message }`.
 */
export async function uninstallCollectionRelease(platform, release) {
  const rel = platform.releases.get(release);
  if (!rel) return { ok: false, message: `Error: uninstall: Release not loaded: ${release}: release: not found` };
  rel.status = 'uninstalling';
  for (const j of rel.jobs) platform.api.deleteJob(j.namespace, j.name);
  const ref = rel.values.kube_helm_collection;
  let done;
  const finished = new Promise((r) => (done = r));
  const spec = jobSpec(
    platform,
    'remove',
    ref,
    containerRun(platform, 'remove', ref, (code) => done(code)),
  );
  platform.api.createJob(spec);
  const timer = new Promise((r) => setTimeout(() => r('timeout'), platform.timing.hookTimeoutMs).unref?.());
  const outcome = await Promise.race([finished, timer]);
  platform.api.deleteJob(spec.namespace, spec.name);
  platform.releases.delete(release);
  if (outcome === 0) return { ok: true, message: `release "${release}" uninstalled` };
  const why = outcome === 'timeout' ? 'timed out waiting for the condition' : `job failed: BackoffLimitExceeded`;
  return {
    ok: false,
    message: `Error: uninstallation completed with 1 error(s): post-delete hooks failed: 1 error occurred:\n\t* ${why}`,
  };
}

/** utils.execute_update_extensions of the platform's generation; resolves `{ installError, message }`. */
export async function executeUpdateExtensions(platform) {
  let installError = false;
  let message = 'No kaapana_collections defined...';
  const collections = platform.kaapanaCollections.split(';').slice(0, -1);
  for (const ref of collections) {
    const release = collectionReleaseName(ref);
    if (!platform.releases.has(release)) {
      platform.log(`Installing ${release}`);
      installCollectionRelease(platform, ref);
      message = 'Successfully updated the extensions';
    } else {
      platform.log('helm deleting and reinstalling');
      const un = await uninstallCollectionRelease(platform, release);
      if (!un.ok) platform.log(`helm delete prefix failed: ${un.message}`);
      installCollectionRelease(platform, ref);
      message = 'Successfully updated the extensions';
    }
    // helm_install marks the list as pending (0.1.x smth_pending): the next timer tick rebuilds it.
    platform.extensions.markPending();
  }
  return { installError, message };
}

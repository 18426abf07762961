// What differs between the two Kaapana generations the simulator plays, each value with the file of
// Kaapana's source it comes from (paths relative to /work/shared/reference/kaapana/).
//
//   0.1.x  v0.1.x/services/kaapana-core/kube-helm/kube-helm-chart/templates/deployment.yaml,
//          service.yaml (kube-helm in kube-system, Service kube-helm-service:5000, label app-name)
//          v0.1.x/services/kaapana-core/kube-helm/docker/files/update-collections-chart/templates/
//          job.yaml (copy Job in `default`, mount /extensions = <fast_data_dir>/extensions),
//          delete_hook.yaml (post-delete remove Job), Chart.yaml (version 0.1.0)
//          v0.1.x/services/utils/base-charts-manager/files/run.py (copies every file below /tmp/
//          to $CHARTS_DIR, default /extensions)
//   0.6.0  v0.6.0/services/kaapana-admin/kube-helm/kube-helm-chart/templates/deployment.yaml,
//          service.yaml (kube-helm in global.admin_namespace = admin, labels app.kubernetes.io/…)
//          v0.6.0/services/kaapana-admin/kube-helm/docker/files/update-collections-chart/templates/
//          job.yaml (copy Job in the admin namespace, PVC subPath extensions mounted at
//          /kaapana/mounted/extensions, TARGET_PREFIX /kaapana/mounted/), Chart.yaml (0.0.0)
//          v0.6.0/services/utils/base-installer/files/run.py (walks /kaapana/tmp/; first path part
//          must be plugins|dags|mounted_scripts|extensions, else exit 1)

/** @typedef {'0.1.x' | '0.6.0'} Generation */

export const GENERATIONS = {
  '0.1.x': {
    generation: '0.1.x',
    platformVersion: '0.1.3',
    /** kube-helm's Deployment and Service namespace (kube-helm-chart/templates/deployment.yaml). */
    kubeHelmNamespace: 'kube-system',
    /** Namespace of the copy/remove Jobs (update-collections-chart/templates/job.yaml: `default`). */
    jobNamespace: 'default',
    /** Helm namespace of the update-collections-chart release (HELM_NAMESPACE, config.py default "default"). */
    helmNamespace: 'default',
    kubeHelmLabels: { 'app-name': 'kube-helm' },
    updateCollectionsChartVersion: '0.1.0',
    /** Directory of the collection image the copy container reads (base-charts-manager run.py: tmp_prefix). */
    sourceDir: '/tmp/',
    /** What the copy container does with the files below sourceDir: see copyCollection in update-collections.mjs. */
    copyRule: 'all-files',
    /** Copy container env (job.yaml). */
    copyEnv: { ACTION: 'copy', CHARTS_DIR: '/extensions' },
    removeEnv: { ACTION: 'remove', CHARTS_DIR: '/extensions' },
  },
  '0.6.0': {
    generation: '0.6.0',
    platformVersion: '0.6.0',
    kubeHelmNamespace: 'admin',
    jobNamespace: 'admin',
    /** global.helm_namespace of the admin chart: the platform's "default" helm namespace. */
    helmNamespace: 'default',
    kubeHelmLabels: { 'app.kubernetes.io/name': 'kube-helm', 'app.kubernetes.io/component': 'backend' },
    updateCollectionsChartVersion: '0.0.0',
    /** base-installer run.py: tmp_prefix "/kaapana/tmp/". */
    sourceDir: '/kaapana/tmp/',
    copyRule: 'known-top-dirs',
    copyEnv: { ACTION: 'copy', TARGET_PREFIX: '/kaapana/mounted/' },
    removeEnv: { ACTION: 'remove', TARGET_PREFIX: '/kaapana/mounted/' },
  },
};

/** base-installer run.py handle_files: the only first path parts below /kaapana/tmp/ it accepts. */
export const INSTALLER_TOP_DIRS = new Set(['plugins', 'dags', 'mounted_scripts', 'extensions']);

export function generationOf(name) {
  const g = GENERATIONS[name];
  if (!g) throw new Error(`unknown Kaapana generation "${name}" (0.1.x or 0.6.0)`);
  return g;
}

/**
 * kube-helm's utils.cure_invalid_name (both generations): characters the Kubernetes name regex
 * leaves over are deleted everywhere in the name, then it is cut to max_length. Note the regex's
 * `\\.` (raw string): a backslash and any character, so dots are never matched and always removed.
 */
export function cureInvalidName(name, maxLength = 53) {
  const source = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
  const full = new RegExp(`^(?:${source})$`);
  const step = (n) => {
    if (full.test(n)) return n;
    const invalid = n.replace(new RegExp(source, 'g'), '');
    for (const c of invalid) n = n.split(c).join('');
    return n;
  };
  let out = step(name);
  if (out.length > maxLength) out = out.slice(0, maxLength);
  return step(out);
}

/** execute_update_extensions: release name of a collection image `registry/name:tag`. */
export function collectionReleaseName(ref) {
  return cureInvalidName(ref.split('/').pop().split(':').join('-'));
}

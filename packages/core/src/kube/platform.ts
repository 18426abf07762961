// Where a Kaapana platform keeps what the reload strategies touch, by platform version (read from
// Kaapana's charts): kube-helm runs in `kube-system` at 0.1.x
// (services/kaapana-core/kube-helm/kube-helm-chart/templates/deployment.yaml) and in the admin
// namespace (`global.admin_namespace`, `admin`) from 0.2 on; the collection copy Jobs of
// update-collections-chart run in `default` at 0.1.x and in the admin namespace from 0.2 on
// (update-collections-chart/templates/job.yaml). An empty version means today's layout.
import semver from 'semver';
import { KxError } from '../errors/index.js';

export interface KaapanaLayout {
  /** `0.1.x` or `>=0.2`. */
  generation: '0.1.x' | '>=0.2';
  /** Namespace of kube-helm-deployment / kube-helm-service. */
  kubeHelmNamespace: string;
  /** Namespace of the copy-kube-helm-collections-<uuid10> Jobs. */
  copyJobNamespace: string;
}

/** Name prefix of the update-collections-chart's copy Jobs (`copy-kube-helm-collections-<uuid10>`). */
export const COPY_JOB_PREFIX = 'copy-kube-helm-collections-';

export function kaapanaLayout(platformVersion: string): KaapanaLayout {
  const text = platformVersion.trim();
  if (text === '') return { generation: '>=0.2', kubeHelmNamespace: 'admin', copyJobNamespace: 'admin' };
  const v = semver.coerce(text);
  if (!v || !/^v?\d+(\.\d+)?(\.\d+)?([-+].*)?$/.test(text)) {
    throw new KxError(`platform-version must be a Kaapana version like 0.1.3 or 0.6.0, got "${platformVersion}"`);
  }
  if (v.major === 0 && v.minor < 2)
    return { generation: '0.1.x', kubeHelmNamespace: 'kube-system', copyJobNamespace: 'default' };
  return { generation: '>=0.2', kubeHelmNamespace: 'admin', copyJobNamespace: 'admin' };
}

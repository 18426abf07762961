// Public API of @kaapana-ext/core/kube: kubectl selection and running, kubeconfig handling, and the
// strategies that make a running Kaapana pick up a new extension collection.
export * from './copy-jobs.js';
export * from './duration.js';
export * from './extensions.js';
export * from './kubeconfig.js';
export * from './kubectl.js';
export * from './kubectl-errors.js';
export * from './objects.js';
export * from './platform.js';
export * from './restart.js';
export * from './restart-types.js';
export * from './service-proxy.js';
export * from './strategy-delete-pods.js';
export * from './strategy-kube-helm.js';
export * from './strategy-rollout.js';

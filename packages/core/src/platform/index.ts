// @kaapana-ext/core/platform — a running Kaapana platform: kube-helm's API (upload, chunked upload,
// container import, install, uninstall, status, extension list) reached through the API server's
// service proxy (kubectl) or the platform URL with an OIDC token from Keycloak; chart delivery by
// copy (local or SSH); the install-extension use case that orders and proves it all.
export * from './http.js';
export * from './oidc.js';
export * from './kube-proxy.js';
export * from './kube-helm.js';
export * from './chart-files.js';
export * from './copy.js';
export * from './image-tars.js';
export * from './install-extension.js';

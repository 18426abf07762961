// Public API of @kaapana-ext/core/tools: platform names of CLI tool downloads and SHA-256 checks
// of downloaded files (the install through the Actions tool cache is in @kaapana-ext/actions-kit/tools).
export * from './sha256.js';
export * from './platform.js';

// Public API of @kaapana-ext/core/tools: verified installs of CLI tools through the Actions tool cache.
export * from './install-tool.js';
export * from './sha256.js';
export * from './platform.js';

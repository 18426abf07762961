// Public API of @kaapana-ext/actions-kit/tools: verified installs of CLI tools through the Actions
// tool cache (generic), and the choice of kubectl (PATH or a pinned, verified download).
export * from './install-tool.js';
export * from './kubectl-install.js';

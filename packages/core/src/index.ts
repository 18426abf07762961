// Root entry of @kaapana-ext/core: the cross-cutting pieces. Domain areas are imported by subpath,
// e.g. `@kaapana-ext/core/docker`, `@kaapana-ext/core/chart`.
export * from './errors/index.js';
export * from './fsutil/index.js';
export * from './retry/index.js';

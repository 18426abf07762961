// Root entry of @kaapana-ext/core: the cross-cutting pieces (errors, fsutil, retry). Each domain area is
// imported by its subpath, `@kaapana-ext/core/<folder>` for every folder of src/ with an index.ts (images,
// registry, chart, collection, build, packaging, kube, platform, references, exec, secrets, tools, errors,
// fsutil, retry), plus `@kaapana-ext/core/docker` (src/images/docker.ts: the Docker CLI alone). See
// package.json exports.
export * from './errors/index.js';
export * from './fsutil/index.js';
export * from './retry/index.js';

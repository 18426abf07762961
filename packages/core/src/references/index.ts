// Public API of the references area: the lint that checks, before anything is built or pushed, that
// every image an extension makes the platform pull (operator `image=`, chart values) is built by the
// run with exactly that tag or exists in the registry (build-images' plan and package-chart).
export * from './python.js';
export * from './lint.js';
export { registryLookup } from './check.js';

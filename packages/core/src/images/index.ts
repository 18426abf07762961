// Public API of the images area: Kaapana's Dockerfile conventions, the build graph, and building
// and pushing a tree of images with the Docker CLI.
export * from './tags.js';
export * from './dockerfile.js';
export * from './discover.js';
export * from './plan.js';
export * from './docker.js';
export * from './build.js';
export * from './version.js';
export * from './build-features.js';
export * from './metadata.js';

// Public API of the collection area: editing the extension collection chart's dependency list and
// building, pushing and verifying the collection image.
export * from './dependency-list.js';
export * from './dependency-edit.js';
export * from './file-repository.js';
export * from './unified-diff.js';
export * from './update-dependency.js';
export * from './assemble-charts.js';
export * from './image-charts.js';
export * from './collection-image.js';
export * from './base-collection.js';
export * from './git-commit.js';
export * from './base-collection-update.js';
export * from './collection-update.js';

// Public API of the build area: what build-images decides for an extension on top of the images
// engine (images/) and the reference lint (references/) — its build plan, what references resolve
// with in the run, and the `plan` output package-chart reads back. (It does not import chart/, so
// build-images' bundle stays without the chart engine.)
export * from './plan.js';

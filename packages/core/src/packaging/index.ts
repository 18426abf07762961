// Public API of the packaging area: what package-chart decides around the helm-compatible chart
// engine (chart/) for a Kaapana extension's chart — the rule refused before anything is written, the
// images the extension builds, the archive and OCI reference a dry run reports, the push of a packed
// archive, and the record each chart gets in the `packages` output.
export * from './extension-chart.js';

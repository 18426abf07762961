// What the container bundle (container/build-app.mjs) fixes at build time: esbuild replaces the
// identifier KAAPANA_OTSU_BUNDLE with the object below. In lib/ and src/ it is not defined, and the
// modules find their files (package.json, itk-wasm's pipelines) in the checkout's node_modules.
// In the bundle, the WebAssembly pipelines and itk-wasm's pipeline runner sit beside the bundle.
declare const KAAPANA_OTSU_BUNDLE: { version: string } | undefined;

/** Set when running from the container bundle; undefined from lib/ and src/. */
export const bundle: { version: string } | undefined =
  typeof KAAPANA_OTSU_BUNDLE === 'undefined' ? undefined : KAAPANA_OTSU_BUNDLE;

// The kaapana-otsu process: runs main() on the command line and exits with its code. The entry point
// of bin/kaapana-otsu.js (through lib/) and of the container bundle (container/build-app.mjs), which
// is CommonJS: hence no top-level await (main() never rejects: it turns every failure into a code).
import { main } from './cli.js';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

// The kaapana-otsu process: runs main() on the command line and exits with its code. The entry point
// of bin/kaapana-otsu.js (through lib/) and of the container bundle (container/build-app.mjs).
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
// kaapana-otsu executable: runs the compiled CLI (algorithm/lib, built by `npm run build` at the root).
import { main } from '../lib/cli.js';

process.exitCode = await main(process.argv.slice(2));

#!/usr/bin/env node
// Bin of the kaapana-ext CLI: runs the compiled entry (`npm run build` at the repository root).
import { main } from '../lib/index.js';

process.exitCode = await main(process.argv.slice(2));

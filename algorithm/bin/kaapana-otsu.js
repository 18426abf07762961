#!/usr/bin/env node
// kaapana-otsu executable: runs the compiled CLI (algorithm/lib, built by `npm run build` at the root).
import '../lib/main.js';

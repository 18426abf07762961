// Entry point of the bundled action (one file serves the step; update-collection has no post step).
import { run } from './main.js';

await run();

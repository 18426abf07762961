// Entry point of the bundled action: main and post step in one file.
import { run } from './main.js';

await run();

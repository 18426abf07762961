// Entry point of the bundled action: one file serves the main step and the post step (see run()).
import { run } from './main.js';

await run();

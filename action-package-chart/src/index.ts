// Entry point of the bundled action: only calls run().
import { run } from './main.js';

await run();

// Entry point of the bundled action: one file serves the main step and the post step.
import { runMainOrPost } from '@kaapana-ext/actions-kit';
import { main, post } from './main.js';

await runMainOrPost(main, post);

// Entry point of the bundled action (package-chart has no post step).
import { runMainOrPost } from '@kaapana-ext/actions-kit';
import { main } from './main.js';

await runMainOrPost(main);

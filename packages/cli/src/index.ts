// Entry point of the kaapana-ext CLI package: `main()` for the bin, and the pieces other tools
// (scripts/demo.mjs, tests) reuse to run actions the way a GitHub runner does.
export { main, defaultIo, type CliIo } from './cli.js';
export { ACTION_COMMANDS, actionDir, actionsRoot, isActionCommand, type ActionCommand } from './action-catalog.js';
export { loadActionMetadata, type ActionMetadata, type ActionInput, type ActionOutput } from './action-metadata.js';
export { runAction, inputEnvName, type ActionRun, type RunActionOptions, type Annotation } from './run-action.js';
export { parseRunnerFile } from './runner-files.js';
export { parseWorkflowCommand } from './workflow-commands.js';
export { summaryToText } from './summary-text.js';

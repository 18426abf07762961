// @kaapana-ext/actions-kit, the GitHub Actions glue shared by the action adapters (the domain lives
// in @kaapana-ext/core, which never imports @actions/*): typed input readers (lists, maps, booleans, numbers with
// clear errors), masking of every credential an input carries, failure reporting (each failure
// becomes exactly one error annotation — with file/line for a KxError — and exit code 1), and a
// main/post switch so one bundle serves both steps. No domain logic lives here.
// Each concern has its module; this entry re-exports them.
export * from './readers.js';
export * from './inputs.js';
export * from './run.js';
export * from './summary.js';
export * from './registry-login.js';
export * from './exec.js';

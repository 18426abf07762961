// Public API of the Kaapana operator mode (environment contract + run).
export { runOperator, operatorEnvFrom } from './run-operator.js';
export type { OperatorEnv, OperatorOptions, ElementResult } from './run-operator.js';

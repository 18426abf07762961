// Types of the simulator's test fixtures (fixtures.mjs).
export interface ChartSpec {
  name: string;
  version?: string;
  apiVersion?: 'v1' | 'v2';
  keywords?: string[];
  dependencies?: string[];
  subcharts?: ChartSpec[];
  description?: string;
  values?: unknown;
}
export function makeChart(spec: ChartSpec): Promise<Buffer>;
export function workflowChart(name: string, version?: string, withDeps?: boolean): Promise<Buffer>;
export function pushImage(ref: string, files: Record<string, Buffer>): Promise<string | null>;
export function collectionFiles(generation: '0.1.x' | '0.6.0', charts: Record<string, Buffer>): Record<string, Buffer>;

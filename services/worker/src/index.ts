export { closeWorkers, createWorkerRuntime } from './runtime.ts';
export type { TWorkerRuntime } from './runtime.ts';

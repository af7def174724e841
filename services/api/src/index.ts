export { buildApp } from './app.ts';
export type { TBuildAppOptions } from './app.ts';

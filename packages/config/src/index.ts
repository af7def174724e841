export { ConfigError, loadConfig, loadConfigOrExit } from './config.ts';
export type { TConfig, TEnv } from './config.ts';
export { repoPath } from './paths.ts';
export { handleShutdown } from './shutdown.ts';

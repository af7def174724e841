export { ConfigError, loadConfig, loadConfigOrExit } from './config.ts';
export type { TConfig, TEnv } from './config.ts';

export { repoPath } from './paths.ts';
export { handleShutdown } from './shutdown.ts';
export { TimeoutError, withTimeout } from './timeout.ts';

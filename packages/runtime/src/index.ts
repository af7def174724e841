export { repoPath } from './paths.ts';
export { handleShutdown } from './shutdown.ts';

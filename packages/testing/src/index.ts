export { configFor, useTestContext } from './context.ts';
export type { TTestContext } from './context.ts';
export { createEmptyDatabase, createTestDatabase, prepareTemplateDatabase } from './database.ts';
export { createQueuePrefix, deleteKeysWithPrefix } from './redis.ts';
export { startSmtpCatcher } from './smtp-catcher.ts';
export type { TCaughtMessage, TSmtpCatcher, TRespond } from './smtp-catcher.ts';
export { getFreePort } from './ports.ts';
export { artifactPath, launchBrowser } from './browser.ts';

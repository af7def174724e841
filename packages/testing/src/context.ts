import { loadConfig, type TConfig } from '@paperboy/config';
import { afterAll, beforeAll, inject } from 'vitest';
import { createTestDatabase, type TTestDatabase } from './database.ts';
import { createQueuePrefix, deleteKeysWithPrefix } from './redis.ts';

export type TTestContext = {
  database: TTestDatabase;
  redisUrl: string;
  queuePrefix: string;
};

/**
 * Gives the calling test file its own migrated database and its own queue prefix, and
 * removes both when the file is done. Read the fields inside tests or hooks, not at import.
 */
export function useTestContext(): TTestContext {
  const context = {} as TTestContext;
  beforeAll(async () => {
    context.database = await createTestDatabase({
      adminUrl: inject('testDatabaseUrl'),
      template: inject('testTemplateDatabase'),
    });
    context.redisUrl = inject('testRedisUrl');
    context.queuePrefix = createQueuePrefix();
  });
  afterAll(async () => {
    await context.database?.drop();
    if (context.queuePrefix) await deleteKeysWithPrefix({ redisUrl: context.redisUrl, prefix: context.queuePrefix });
  });
  return context;
}

/** The service configuration a test file runs with: its own database, Redis prefix and quiet logs. */
export function configFor(context: TTestContext, env: Record<string, string> = {}): TConfig {
  return loadConfig({
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: context.database.url,
      REDIS_URL: context.redisUrl,
      QUEUE_PREFIX: context.queuePrefix,
      ...env,
    },
  });
}

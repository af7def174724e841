import type { TestProject } from 'vitest/node';
import { prepareTemplateDatabase } from './database.ts';
import { resolveTestServices } from './services.ts';

declare module 'vitest' {
  // Module augmentation needs an interface.
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  export interface ProvidedContext {
    testDatabaseUrl: string;
    testTemplateDatabase: string;
    testRedisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const services = await resolveTestServices();
  const template = await prepareTemplateDatabase({ adminUrl: services.databaseUrl });
  project.provide('testDatabaseUrl', services.databaseUrl);
  project.provide('testTemplateDatabase', template);
  project.provide('testRedisUrl', services.redisUrl);
  return async () => {
    await services.stop();
  };
}

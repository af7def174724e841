export * from './schema/index.ts';
export { createDatabase } from './client.ts';
export type { TDatabase, TDatabaseHandle, TDb } from './client.ts';
export { runMigrations, migrationsFolder } from './migrate.ts';
export { describeConnectionError, ensureDatabaseExists, pingDatabase, rootCause } from './connectivity.ts';
export { sqlArray } from './sql.ts';

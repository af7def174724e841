import { repoPath } from '@paperboy/runtime';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { createDatabase } from './client.ts';

export const MIGRATIONS_FOLDER = repoPath('migrations');

export async function runMigrations({ url }: { url: string }): Promise<void> {
  const handle = createDatabase({ url, poolSize: 1 });
  try {
    await migrate(handle.db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await handle.close();
  }
}

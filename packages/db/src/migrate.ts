import { repoPath } from '@paperboy/runtime';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { createDatabase } from './client.ts';

/** Where drizzle-kit writes the migrations; looked up when asked, not at import. */
export function migrationsFolder(): string {
  return repoPath('migrations');
}

export async function runMigrations({ url }: { url: string }): Promise<void> {
  const handle = createDatabase({ url, poolSize: 1 });
  try {
    await migrate(handle.db, { migrationsFolder: migrationsFolder() });
  } finally {
    await handle.close();
  }
}

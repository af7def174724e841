import { createDatabase, ensureDatabaseExists, runMigrations } from '@paperboy/db';
import { readSeedTopics } from '@paperboy/domain';
import { topics } from '@paperboy/db';
import pg from 'pg';

/** A fresh database for one measurement: dropped and migrated, with the topic list. */
export async function freshDatabase({ adminUrl, name }: { adminUrl: string; name: string }) {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // Dropping and creating go through the maintenance database: the one in DATABASE_URL may not exist yet.
  const maintenanceUrl = new URL(adminUrl);
  maintenanceUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: maintenanceUrl.toString() });
  await admin.connect();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.end();
  await ensureDatabaseExists({ url: url.toString() });
  await runMigrations({ url: url.toString() });
  const handle = createDatabase({ url: url.toString(), poolSize: 4 });
  await handle.db.insert(topics).values(readSeedTopics());
  return { ...handle, url: url.toString() };
}

// A throw-away database beside the one in DATABASE_URL, migrated, for commands that must not touch
// real data (training and evaluating the topic model). Dropped afterwards, even on failure.
import { randomBytes } from 'node:crypto';
import { createDatabase, runMigrations, type TDb } from '@paperboy/db';
import pg from 'pg';

async function admin(url: URL, statement: string) {
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function withScratchDatabase<T>({ url, prefix }: { url: string; prefix: string }, work: (db: TDb) => Promise<T>): Promise<T> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const maintenanceUrl = new URL(url);
  maintenanceUrl.pathname = '/postgres';
  const scratchUrl = new URL(url);
  scratchUrl.pathname = `/${name}`;
  await admin(maintenanceUrl, `create database "${name}"`);
  try {
    await runMigrations({ url: scratchUrl.toString() });
    const database = createDatabase({ url: scratchUrl.toString(), poolSize: 2 });
    try {
      return await work(database.db);
    } finally {
      await database.close();
    }
  } finally {
    await admin(maintenanceUrl, `drop database if exists "${name}" with (force)`);
  }
}

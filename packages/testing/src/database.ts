import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase, migrationsFolder, runMigrations, type TDatabaseHandle } from '@paperboy/db';
import pg from 'pg';

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function withAdminClient<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The template's name changes whenever a migration does, so a stale template is never reused. */
function templateName(): string {
  const hash = createHash('sha256');
  const folder = migrationsFolder();
  for (const file of readdirSync(folder).filter((name) => name.endsWith('.sql')).sort()) {
    hash.update(file).update(readFileSync(join(folder, file)));
  }
  return `paperboy_tpl_${hash.digest('hex').slice(0, 12)}`;
}

/** Migrates a template database once per migration set; test databases are cloned from it. */
export async function prepareTemplateDatabase({ adminUrl }: { adminUrl: string }): Promise<string> {
  const name = templateName();
  return withAdminClient(adminUrl, async (client) => {
    // Serialise concurrent test runs that would build the same template.
    await client.query('select pg_advisory_lock(hashtext($1))', [name]);
    try {
      const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (rowCount) return name;
      const building = `${name}_building`;
      await client.query(`drop database if exists "${building}" with (force)`);
      await client.query(`create database "${building}"`);
      await runMigrations({ url: withDatabase(adminUrl, building) });
      await client.query(`alter database "${building}" rename to "${name}"`);
      return name;
    } finally {
      await client.query('select pg_advisory_unlock(hashtext($1))', [name]);
    }
  });
}

export type TTestDatabase = TDatabaseHandle & { url: string; name: string; drop: () => Promise<void> };

/** A fresh, migrated database of its own, cloned from the template. */
export async function createTestDatabase({
  adminUrl,
  template,
}: {
  adminUrl: string;
  template: string;
}): Promise<TTestDatabase> {
  const name = `pb_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient(adminUrl, (client) => client.query(`create database "${name}" template "${template}"`));
  const url = withDatabase(adminUrl, name);
  const handle = createDatabase({ url, poolSize: 5 });
  return {
    ...handle,
    url,
    name,
    drop: async () => {
      await handle.close();
      await withAdminClient(adminUrl, (client) => client.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

/** An empty database (no migrations), for testing the migrations themselves. */
export async function createEmptyDatabase({ adminUrl }: { adminUrl: string }) {
  const name = `pb_empty_${randomBytes(6).toString('hex')}`;
  await withAdminClient(adminUrl, (client) => client.query(`create database "${name}"`));
  return {
    url: withDatabase(adminUrl, name),
    drop: () => withAdminClient(adminUrl, (client) => client.query(`drop database if exists "${name}" with (force)`)),
  };
}

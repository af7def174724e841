import { createEmptyDatabase, useTestContext } from '@paperboy/testing';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { runMigrations } from './migrate.ts';
import { consentEvents, subscribers } from './schema/index.ts';

describe('migrations', () => {
  it('apply to an empty database and create every table, twice without error', async () => {
    const empty = await createEmptyDatabase({ adminUrl: inject('testDatabaseUrl') });
    try {
      await runMigrations({ url: empty.url });
      await runMigrations({ url: empty.url });
      const client = new pg.Client({ connectionString: empty.url });
      await client.connect();
      const { rows } = await client.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
      );
      await client.end();
      expect(rows.map((row) => row.table_name)).toEqual([
        'consent_events',
        'deliveries',
        'digest_runs',
        'keywords',
        'paper_keywords',
        'paper_ratings',
        'paper_topics',
        'papers',
        'sent_papers',
        'subscriber_keywords',
        'subscriber_seed_papers',
        'subscriber_topics',
        'subscribers',
        'suppressions',
        'topics',
      ]);
    } finally {
      await empty.drop();
    }
  });

  it('fail with the database error when the database does not exist', async () => {
    const url = new URL(inject('testDatabaseUrl'));
    url.pathname = '/paperboy_does_not_exist';
    await expect(runMigrations({ url: url.toString() })).rejects.toMatchObject({ cause: { code: '3D000' } });
  });
});

describe('the consent log', () => {
  const context = useTestContext();

  async function subscriberWithEvent() {
    const { db } = context.database;
    const [subscriber] = await db
      .insert(subscribers)
      .values({ email: 'ada@example.org', emailHash: `hash-${Math.random()}` })
      .returning();
    const [event] = await db
      .insert(consentEvents)
      .values({ subscriberId: subscriber!.id, kind: 'signup', ip: '127.0.0.1', userAgent: 'test' })
      .returning();
    return event!;
  }

  it('refuses to delete an entry', async () => {
    const event = await subscriberWithEvent();
    await expect(context.database.db.execute(sql`delete from consent_events where id = ${event.id}`)).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/append-only/) as unknown },
    });
  });

  it('refuses to rewrite what happened', async () => {
    const event = await subscriberWithEvent();
    await expect(
      context.database.db.execute(sql`update consent_events set kind = 'confirm' where id = ${event.id}`),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/append-only/) as unknown } });
  });

  it('allows erasing the ip and user agent of an entry', async () => {
    const event = await subscriberWithEvent();
    await context.database.db.execute(sql`update consent_events set ip = null, user_agent = null where id = ${event.id}`);
    const { rows } = await context.database.db.execute<{ ip: string | null }>(
      sql`select ip from consent_events where id = ${event.id}`,
    );
    expect(rows[0]?.ip).toBeNull();
  });
});

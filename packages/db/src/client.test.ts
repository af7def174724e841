import { useTestContext } from '@paperboy/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDatabase } from './client.ts';

describe('createDatabase', () => {
  const context = useTestContext();

  it('with a statement timeout, a statement that waits longer is cancelled instead of hanging its caller', async () => {
    const handle = createDatabase({ url: context.database.url, poolSize: 1, statementTimeoutMs: 200 });
    try {
      const { rows } = await handle.db.execute<{ statement_timeout: string }>(sql`show statement_timeout`);
      expect(rows[0]?.statement_timeout).toBe('200ms');
      await expect(handle.db.execute(sql`select pg_sleep(5)`)).rejects.toThrow();
    } finally {
      await handle.close();
    }
  });

  it('names its connections, so they can be told apart in pg_stat_activity', async () => {
    const handle = createDatabase({ url: context.database.url, poolSize: 1, applicationName: 'paperboy-test-pool' });
    try {
      const { rows } = await handle.db.execute<{ name: string }>(sql`select current_setting('application_name') as name`);
      expect(rows[0]?.name).toBe('paperboy-test-pool');
    } finally {
      await handle.close();
    }
  });
});

import { findUnsentConfirmations } from '@paperboy/domain';
import { useTestContext } from '@paperboy/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { insertChaosAudience } from './chaos.fixture.ts';

const HOUR = 3_600_000;

describe('the chaos audience', () => {
  const context = useTestContext();

  it("its pending readers were already sent their confirmation, so a long run's confirmation sweep leaves them alone", async () => {
    const { db } = context.database;
    await insertChaosAudience({ db, count: 50 });
    const { rows } = await db.execute<{ count: number }>(sql`select count(*)::int as count from subscribers where status = 'pending'`);
    expect(rows[0]?.count).toBe(10);
    // What the worker's sweep asks once a run has lasted an hour.
    const later = Date.now() + HOUR;
    const { subscriberIds } = await findUnsentConfirmations({ db, createdBefore: new Date(later), createdAfter: new Date(later - 7 * 24 * HOUR), limit: 1_000 });
    expect(subscriberIds).toEqual([]);
  });
});

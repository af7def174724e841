import { digestRuns, type TDb } from '@paperboy/db';
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { createDeliveriesRepository } from './digests.deliveries.repository.ts';

export type TDigestRun = typeof digestRuns.$inferSelect;
export type TRunState = TDigestRun['state'];

/**
 * The audience filter for "one digest per reader per period": true for a subscriber (alias `s`)
 * who was not yet sent a digest since `since`, the start of the run's calendar period. A digest
 * an earlier run of the period planned but has not sent yet (pending, sending: queued, or its
 * run paused) counts as sent, or a second run would plan the same reader and mail them twice.
 */
export function notMailedSince(since: Date): SQL {
  return sql`not exists (
    select 1 from deliveries mailed
    where mailed.subscriber_id = s.id and mailed.state in ('pending', 'sending', 'sent')
      and coalesce(mailed.sent_at, mailed.created_at) >= ${since.toISOString()}::timestamptz
  )`;
}

// Key of the advisory lock that serialises planning, per frequency (the supervisor's is 7_311_001).
const PLANNING_LOCK: Record<'daily' | 'weekly', number> = { weekly: 7_311_002, daily: 7_311_003 };

export function createDigestsRepository({ db }: { db: TDb }) {
  return {
    /** Inserts a run; for a scheduled run whose period already has one, inserts nothing and returns undefined. */
    insertRun: async ({ values }: { values: typeof digestRuns.$inferInsert }) => {
      const [run] = await db.insert(digestRuns).values(values).onConflictDoNothing().returning();
      return { run };
    },

    findScheduledRun: async ({ frequency, periodKey }: { frequency: 'daily' | 'weekly'; periodKey: string }) => {
      const [run] = await db
        .select()
        .from(digestRuns)
        .where(
          and(
            eq(digestRuns.frequency, frequency),
            eq(digestRuns.periodKey, periodKey),
            eq(digestRuns.trigger, 'schedule'),
            eq(digestRuns.isDryRun, false),
          ),
        );
      return { run };
    },

    /** Readers a run of `frequency` would plan for, but who were already sent a digest since `since` (or have one on its way). */
    countAlreadyMailed: async ({ frequency, since, now }: { frequency: 'daily' | 'weekly'; since: Date; now: Date }) => {
      const { rows } = await db.execute<{ count: number }>(sql`
        select count(*)::int as count from subscribers s
        where s.status = 'confirmed' and s.frequency = ${frequency}
          and (s.paused_until is null or s.paused_until <= ${now.toISOString()}::timestamptz)
          and not ${notMailedSince(since)}
      `);
      return { count: rows[0]?.count ?? 0 };
    },

    /**
     * Waits for any other run of `frequency` being planned, until the caller's transaction ends:
     * two runs planned at once would each miss the other's deliveries and mail the same readers.
     */
    lockPlanning: async ({ frequency }: { frequency: 'daily' | 'weekly' }) => {
      await db.execute(sql`select pg_advisory_xact_lock(${PLANNING_LOCK[frequency]})`);
    },

    getRun: async ({ runId }: { runId: string }) => {
      const [run] = await db.select().from(digestRuns).where(eq(digestRuns.id, runId));
      return { run };
    },

    listRuns: async ({ limit, offset }: { limit: number; offset: number }) => {
      const runs = await db.select().from(digestRuns).orderBy(desc(digestRuns.createdAt)).limit(limit).offset(offset);
      return { runs };
    },

    listRunsInState: async ({ state }: { state: TRunState[] }) => {
      const runs = await db.select().from(digestRuns).where(inArray(digestRuns.state, state));
      return { runs };
    },

    /** Moves a run between states only from the states given: the row decides, not the caller's stale copy. */
    transitionRun: async ({
      runId,
      from,
      to,
      set = {},
    }: {
      runId: string;
      from: TRunState[];
      to: TRunState;
      set?: Partial<typeof digestRuns.$inferInsert>;
    }) => {
      const [run] = await db
        .update(digestRuns)
        .set({ ...set, state: to })
        .where(and(eq(digestRuns.id, runId), inArray(digestRuns.state, from)))
        .returning();
      return { run };
    },

    updateRun: async ({ runId, set }: { runId: string; set: Partial<typeof digestRuns.$inferInsert> }) => {
      const [run] = await db.update(digestRuns).set(set).where(eq(digestRuns.id, runId)).returning();
      return { run };
    },

    ...createDeliveriesRepository({ db }),
  };
}

export type TDigestsRepository = ReturnType<typeof createDigestsRepository>;

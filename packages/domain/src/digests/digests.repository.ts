import { deliveries, digestRuns, sqlArray, type TDb } from '@paperboy/db';
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';

export type TDigestRun = typeof digestRuns.$inferSelect;
export type TRunState = TDigestRun['state'];
type TDeliveryState = (typeof deliveries.$inferSelect)['state'];
export type TDeliveryCounts = Record<TDeliveryState, number>;
export type TDeliveryToSend = { deliveryId: string; attempts: number };

/** A delivery claimed for sending, with what rendering needs. */
export type TClaimedDelivery = {
  id: string;
  runId: string;
  subscriberId: string;
  email: string;
  frequency: 'daily' | 'weekly';
  paperIds: number[];
  /** Per paper, the paper the subscriber rated up that it resembles (0: none); empty when their ratings played no part. */
  likedPaperIds: number[];
  /** The subscriber's current topics and keywords, to explain why each paper was picked. */
  topicIds: number[];
  keywordIds: number[];
  attempts: number;
};

export type TSentDelivery = { deliveryId: string; messageId: string; smtpResponse: string };

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

    countDeliveries: async ({ runId }: { runId: string }): Promise<{ counts: TDeliveryCounts }> => {
      const rows = await db
        .select({ state: deliveries.state, count: sql<number>`count(*)::int` })
        .from(deliveries)
        .where(eq(deliveries.runId, runId))
        .groupBy(deliveries.state);
      const counts: TDeliveryCounts = { pending: 0, sending: 0, sent: 0, failed: 0, cancelled: 0 };
      for (const row of rows) counts[row.state] = row.count;
      return { counts };
    },

    /**
     * Deliveries that need a send job: pending ones no job has touched since `idleBefore`, and
     * ones whose sending lease expired (their worker died). All of them, when `idleBefore` is now.
     */
    listDeliveriesToSend: async ({ runId, idleBefore }: { runId: string; idleBefore: Date }) => {
      const rows = await db
        .select({ deliveryId: deliveries.id, attempts: deliveries.attempts })
        .from(deliveries)
        .where(
          and(
            eq(deliveries.runId, runId),
            inArray(deliveries.state, ['pending', 'sending']),
            sql`${deliveries.updatedAt} <= ${idleBefore.toISOString()}::timestamptz`,
          ),
        )
        .orderBy(deliveries.id);
      return { deliveries: rows satisfies TDeliveryToSend[] };
    },

    /**
     * Claims a batch of deliveries for sending, in one statement: each only while its run is
     * sending, its subscriber is still confirmed and not suppressed, and no other attempt holds it (pending, or
     * sending with an expired lease). The others are left as they are.
     *
     * The run's state is a subquery, not a join: joined, the planner (misled by a run whose
     * deliveries were just inserted) also read the run's whole (run_id, state) index on every
     * claim, so a run's claims cost grew with the square of its size.
     */
    claimDeliveries: async ({ deliveryIds, leaseExpiredBefore }: { deliveryIds: string[]; leaseExpiredBefore: Date }) => {
      const { rows } = await db.execute<{
        id: string;
        run_id: string;
        subscriber_id: string;
        email: string;
        frequency: 'daily' | 'weekly';
        paper_ids: string[];
        liked_paper_ids: string[];
        topic_ids: number[];
        keyword_ids: number[];
        attempts: number;
      }>(sql`
        update deliveries d
        set state = 'sending', attempts = d.attempts + 1, updated_at = now()
        from subscribers s
        where d.id = any(${sqlArray(deliveryIds, 'uuid')})
          and (select r.state from digest_runs r where r.id = d.run_id) = 'sending'
          and s.id = d.subscriber_id and s.status = 'confirmed' and s.email is not null
          and not exists (select 1 from suppressions x where x.email_hash = s.email_hash)
          and (d.state = 'pending'
               or (d.state = 'sending' and d.updated_at < ${leaseExpiredBefore.toISOString()}::timestamptz))
        returning d.id, d.run_id, d.subscriber_id, s.email, s.frequency, d.paper_ids, d.liked_paper_ids, d.attempts,
          array(select st.topic_id from subscriber_topics st where st.subscriber_id = d.subscriber_id) as topic_ids,
          array(select sk.keyword_id from subscriber_keywords sk where sk.subscriber_id = d.subscriber_id) as keyword_ids
      `);
      const claimed: TClaimedDelivery[] = rows.map((row) => ({
        id: row.id,
        runId: row.run_id,
        subscriberId: row.subscriber_id,
        email: row.email,
        frequency: row.frequency,
        paperIds: row.paper_ids.map(Number),
        likedPaperIds: row.liked_paper_ids.map(Number),
        topicIds: row.topic_ids,
        keywordIds: row.keyword_ids,
        attempts: row.attempts,
      }));
      return { claimed };
    },

    /**
     * Marks claimed deliveries sent and records their papers as received, one statement for the
     * whole group; each row keeps its own server answer and message id.
     */
    markSent: async ({ sent }: { sent: TSentDelivery[] }) => {
      if (sent.length === 0) return { marked: 0 };
      const { rows } = await db.execute<{ id: string }>(sql`
        with accepted as (
          select * from unnest(
            ${sqlArray(sent.map((item) => item.deliveryId), 'uuid')},
            ${sqlArray(sent.map((item) => item.messageId), 'text')},
            ${sqlArray(sent.map((item) => item.smtpResponse.slice(0, 500)), 'text')}
          ) as accepted(id, message_id, smtp_response)
        ),
        sent as (
          update deliveries d
          set state = 'sent', message_id = accepted.message_id, smtp_response = accepted.smtp_response,
              last_error = null, sent_at = now(), updated_at = now()
          from accepted
          where d.id = accepted.id and d.state = 'sending'
          returning d.id, d.subscriber_id, d.paper_ids
        ),
        recorded as (
          insert into sent_papers (subscriber_id, paper_id, delivery_id)
          select sent.subscriber_id, paper.id, sent.id
          from sent cross join unnest(sent.paper_ids) as paper(id)
          on conflict do nothing
        ),
        touched as (
          update subscribers set last_digest_at = now() from sent where subscribers.id = sent.subscriber_id
        )
        select id from sent
      `);
      return { marked: rows.length };
    },

    /** Gives a claimed delivery back after a transient failure, for the job's own retry to claim again. */
    releaseDelivery: async ({ deliveryId, error }: { deliveryId: string; error: string }) => {
      await db.execute(sql`
        update deliveries set state = 'pending', last_error = ${error.slice(0, 500)}, updated_at = now()
        where id = ${deliveryId}::uuid and state = 'sending'
      `);
    },

    markFailed: async ({ deliveryId, error }: { deliveryId: string; error: string }) => {
      const [row] = await db
        .update(deliveries)
        .set({ state: 'failed', lastError: error.slice(0, 500) })
        .where(and(eq(deliveries.id, deliveryId), inArray(deliveries.state, ['sending', 'pending'])))
        .returning({ subscriberId: deliveries.subscriberId });
      return { subscriberId: row?.subscriberId };
    },

    /** Deliveries whose subscriber left (unsubscribed, erased, suppressed) after planning are never sent. */
    cancelUnconfirmed: async ({ deliveryIds }: { deliveryIds: string[] }) => {
      const { rows } = await db.execute<{ id: string }>(sql`
        update deliveries d set state = 'cancelled', updated_at = now()
        from subscribers s
        where d.id = any(${sqlArray(deliveryIds, 'uuid')}) and d.state = 'pending'
          and s.id = d.subscriber_id
          and (s.status <> 'confirmed' or s.email is null or exists (select 1 from suppressions x where x.email_hash = s.email_hash))
        returning d.id
      `);
      return { cancelled: rows.length };
    },

    cancelPending: async ({ runId }: { runId: string }) => {
      await db
        .update(deliveries)
        .set({ state: 'cancelled' })
        .where(and(eq(deliveries.runId, runId), eq(deliveries.state, 'pending')));
    },

    resetFailed: async ({ runId }: { runId: string }) => {
      const rows = await db
        .update(deliveries)
        .set({ state: 'pending', lastError: null })
        .where(and(eq(deliveries.runId, runId), eq(deliveries.state, 'failed')))
        .returning({ id: deliveries.id });
      return { count: rows.length };
    },
  };
}

export type TDigestsRepository = ReturnType<typeof createDigestsRepository>;

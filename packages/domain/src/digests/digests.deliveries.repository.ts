import { deliveries, sqlArray, type TDb } from '@paperboy/db';
import { and, eq, inArray, sql } from 'drizzle-orm';

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

/** A run's deliveries: counting them, claiming them for sending, and marking how sending went. `db` may be a transaction. */
export function createDeliveriesRepository({ db }: { db: TDb }) {
  return {
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

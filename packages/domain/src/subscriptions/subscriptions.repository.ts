import { consentEvents, keywords, subscriberKeywords, subscribers, subscriberTopics, topics, type TDb } from '@paperboy/db';
import { asc, eq, sql } from 'drizzle-orm';
import { insertNewSignup, replaceKeywords } from './subscriptions.signup-sql.ts';

export type TSubscriberRow = typeof subscribers.$inferSelect;
export type TConsentKind = (typeof consentEvents.$inferInsert)['kind'];
export type TConsentEvent = typeof consentEvents.$inferSelect;

/** Rows of one subscriber: the subscriber, their topics and keywords, and their consent log. `db` may be a transaction. */
export function createSubscribersRepository({ db }: { db: TDb }) {
  return {
    /** Inserts a new pending subscriber, or returns nothing when the address is already known. */
    insertIfNew: async ({
      email,
      emailHash,
      frequency,
      digestSize,
      status = 'pending',
      confirmedAt = null,
    }: {
      email: string;
      emailHash: string;
      frequency: TSubscriberRow['frequency'];
      digestSize: number;
      status?: TSubscriberRow['status'];
      confirmedAt?: Date | null;
    }): Promise<{ subscriber: TSubscriberRow | undefined }> => {
      const [subscriber] = await db
        .insert(subscribers)
        .values({ email, emailHash, frequency, digestSize, status, confirmedAt })
        .onConflictDoNothing({ target: subscribers.emailHash })
        .returning();
      return { subscriber };
    },

    /** A signup's whole write in one statement: see `insertNewSignup`. */
    insertNewSignup: (input: Parameters<typeof insertNewSignup>[1]) => insertNewSignup(db, input),

    findById: async ({ id, isForUpdate = false }: { id: string; isForUpdate?: boolean }): Promise<{ subscriber: TSubscriberRow | undefined }> => {
      const query = db.select().from(subscribers).where(eq(subscribers.id, id));
      const [subscriber] = isForUpdate ? await query.for('update') : await query;
      return { subscriber };
    },

    findByEmailHash: async ({ emailHash, isForUpdate = false }: { emailHash: string; isForUpdate?: boolean }) => {
      const query = db.select().from(subscribers).where(eq(subscribers.emailHash, emailHash));
      const [subscriber] = isForUpdate ? await query.for('update') : await query;
      return { subscriber };
    },

    update: async ({ id, values }: { id: string; values: Partial<Omit<typeof subscribers.$inferInsert, 'id'>> }) => {
      const [subscriber] = await db.update(subscribers).set(values).where(eq(subscribers.id, id)).returning();
      return { subscriber };
    },

    replaceTopics: async ({ subscriberId, topicIds }: { subscriberId: string; topicIds: number[] }) => {
      await db.delete(subscriberTopics).where(eq(subscriberTopics.subscriberId, subscriberId));
      if (topicIds.length > 0) await db.insert(subscriberTopics).values(topicIds.map((topicId) => ({ subscriberId, topicId })));
    },

    /** Links the subscriber to exactly these phrases: see `replaceKeywords`. */
    replaceKeywords: (input: Parameters<typeof replaceKeywords>[1]) => replaceKeywords(db, input),

    getChoices: async ({ subscriberId }: { subscriberId: string }): Promise<{ topicSlugs: string[]; topicNames: string[]; keywords: string[] }> => {
      const [topicRows, keywordRows] = await Promise.all([
        db
          .select({ slug: topics.slug, name: topics.name })
          .from(subscriberTopics)
          .innerJoin(topics, eq(topics.id, subscriberTopics.topicId))
          .where(eq(subscriberTopics.subscriberId, subscriberId))
          .orderBy(asc(topics.name)),
        db
          .select({ phrase: keywords.phrase })
          .from(subscriberKeywords)
          .innerJoin(keywords, eq(keywords.id, subscriberKeywords.keywordId))
          .where(eq(subscriberKeywords.subscriberId, subscriberId))
          .orderBy(asc(keywords.phrase)),
      ]);
      return {
        topicSlugs: topicRows.map((row) => row.slug),
        topicNames: topicRows.map((row) => row.name),
        keywords: keywordRows.map((row) => row.phrase),
      };
    },

    recordConsent: async ({
      subscriberId,
      kind,
      ip = null,
      userAgent = null,
      details = {},
      occurredAt,
    }: {
      subscriberId: string;
      kind: TConsentKind;
      ip?: string | null;
      userAgent?: string | null;
      details?: Record<string, unknown>;
      occurredAt?: Date;
    }) => {
      await db.insert(consentEvents).values({ subscriberId, kind, ip, userAgent: userAgent?.slice(0, 500) ?? null, details, occurredAt });
    },

    listConsent: async ({ subscriberId }: { subscriberId: string }): Promise<{ events: TConsentEvent[] }> => {
      const events = await db
        .select()
        .from(consentEvents)
        .where(eq(consentEvents.subscriberId, subscriberId))
        .orderBy(asc(consentEvents.occurredAt), asc(consentEvents.id));
      return { events };
    },

    /** The one update the consent log's trigger allows: forgetting where the consent came from. */
    forgetConsentOrigins: async ({ subscriberId }: { subscriberId: string }) => {
      await db
        .update(consentEvents)
        .set({ ip: null, userAgent: null })
        .where(sql`${consentEvents.subscriberId} = ${subscriberId} and (${consentEvents.ip} is not null or ${consentEvents.userAgent} is not null)`);
    },

    /**
     * Takes the right to send one confirmation or manage-preferences message: succeeds only when the
     * subscriber is in `status` and no such message went out within `intervalMs`. The row, not the
     * job id, is what keeps ten signups from sending ten messages.
     */
    claimConfirmationSend: async ({
      id,
      status,
      now,
      intervalMs,
    }: {
      id: string;
      status: TSubscriberRow['status'];
      now: Date;
      intervalMs: number;
    }): Promise<{ subscriber: TSubscriberRow | undefined; previous: Date | null }> => {
      const { rows } = await db.execute<{ previous: string | null }>(sql`
        with old as (select id, last_confirmation_sent_at from subscribers where id = ${id} for update)
        update subscribers s set last_confirmation_sent_at = ${now.toISOString()}::timestamptz, updated_at = now()
        from old
        where s.id = old.id
          and s.status = ${status}
          and (old.last_confirmation_sent_at is null
               or old.last_confirmation_sent_at <= ${new Date(now.getTime() - intervalMs).toISOString()}::timestamptz)
        returning old.last_confirmation_sent_at as previous`);
      if (rows.length === 0) return { subscriber: undefined, previous: null };
      const [subscriber] = await db.select().from(subscribers).where(eq(subscribers.id, id));
      return { subscriber, previous: rows[0]!.previous ? new Date(rows[0]!.previous) : null };
    },

    /** Gives a claim back after a failed send, unless another send claimed the row since. */
    releaseConfirmationSend: async ({ id, claimedAt, previous }: { id: string; claimedAt: Date; previous: Date | null }) => {
      await db
        .update(subscribers)
        .set({ lastConfirmationSentAt: previous })
        .where(sql`${subscribers.id} = ${id} and ${subscribers.lastConfirmationSentAt} = ${claimedAt.toISOString()}::timestamptz`);
    },
  };
}

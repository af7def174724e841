import { type TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';

export type TSuppressionReason = 'hard_bounce' | 'soft_bounce_limit' | 'complaint' | 'manual';
/** Where the evidence came from; stored as is, so it is a fixed word, never free text. */
export type TEvidenceSource = 'smtp' | 'dsn' | 'arf' | 'admin' | `webhook:${string}`;
export type TRecordedKind = 'hard' | 'soft' | 'policy';

/** The subscriber (and, when known, the delivery) a bounce or complaint is about. */
export type TEvidenceSubject = { subscriberId: string; deliveryId: string | undefined };

export type TSuppressionRow = {
  id: string;
  reason: TSuppressionReason;
  classification: string | null;
  source: string;
  createdAt: Date;
  subscriberId: string | null;
  /** Null once the subscriber erased their data, or when no subscriber has this address. */
  email: string | null;
  emailHash: string;
};

export function createDeliverabilityRepository({ db }: { db: TDb }) {
  return {
    subjectOfDelivery: async ({ deliveryId }: { deliveryId: string }) => subject(db, sql`select id as delivery_id, subscriber_id from deliveries where id = ${deliveryId}::uuid`),

    /** A subscriber with no delivery in question (a confirmation mail bounced). */
    subjectOfSubscriber: async ({ subscriberId }: { subscriberId: string }) => subject(db, sql`select id as subscriber_id, null as delivery_id from subscribers where id = ${subscriberId}::uuid`),

    subjectOfMessageId: async ({ messageId }: { messageId: string }) =>
      // Providers quote a Message-ID with or without its angle brackets.
      subject(db, sql`select id as delivery_id, subscriber_id from deliveries where message_id in (${messageId}, ${`<${messageId.replace(/^<|>$/g, '')}>`}) limit 1`),

    /** The subscriber with this address hash, and their latest delivery that left. */
    subjectOfEmailHash: async ({ emailHash }: { emailHash: string }) =>
      subject(
        db,
        sql`select s.id as subscriber_id,
              (select d.id from deliveries d where d.subscriber_id = s.id and d.sent_at is not null order by d.sent_at desc limit 1) as delivery_id
            from subscribers s where s.email_hash = ${emailHash}`,
      ),

    /**
     * Marks the delivery bounced, once: a second report of the same kind changes nothing, and only
     * a hard bounce may overwrite a softer one. Returns whether this call recorded it.
     */
    markDeliveryBounced: async ({ deliveryId, kind, classification }: { deliveryId: string; kind: TRecordedKind; classification: string }) => {
      const { rows } = await db.execute<{ id: string }>(sql`
        update deliveries set bounce_kind = ${kind}, bounce_classification = ${classification.slice(0, 100)}, updated_at = now()
        where id = ${deliveryId}::uuid
          and (bounce_kind is null or (bounce_kind <> 'hard' and ${kind} = 'hard'))
        returning id
      `);
      return { isRecorded: rows.length > 0 };
    },

    markDeliveryComplained: async ({ deliveryId }: { deliveryId: string }) => {
      const { rows } = await db.execute<{ id: string }>(sql`
        update deliveries set complained_at = now(), updated_at = now() where id = ${deliveryId}::uuid and complained_at is null returning id
      `);
      return { isRecorded: rows.length > 0 };
    },

    bumpBounceCount: async ({ subscriberId }: { subscriberId: string }) => {
      await db.execute(sql`update subscribers set bounce_count = bounce_count + 1 where id = ${subscriberId}::uuid`);
    },

    /**
     * How many of the subscriber's deliveries that left, up to and including this one, soft-bounced
     * in a row. A delivery that left and did not bounce ends the streak: that is the "successful
     * send resets it" rule, read from the rows rather than kept in a counter that a late bounce
     * report would race with.
     */
    softBounceStreak: async ({ subscriberId, deliveryId, limit }: { subscriberId: string; deliveryId: string; limit: number }) => {
      const { rows } = await db.execute<{ streak: number }>(sql`
        with recent as (
          select d.bounce_kind from deliveries d
          where d.subscriber_id = ${subscriberId}::uuid and d.state in ('sent', 'failed')
            and d.created_at <= (select created_at from deliveries where id = ${deliveryId}::uuid)
          order by d.created_at desc, d.id desc
          limit ${limit}
        )
        select count(*) filter (where bounce_kind = 'soft')::int as streak,
               bool_and(bounce_kind = 'soft') as unbroken
        from recent
      `);
      const [row] = rows as { streak: number; unbroken: boolean | null }[];
      return { streak: row?.unbroken ? row.streak : 0 };
    },

    /** Suppresses the subscriber's address; returns the new row's id, or undefined when it already was. */
    suppressSubscriber: async ({
      subscriberId,
      deliveryId,
      reason,
      classification,
      source,
    }: {
      subscriberId: string;
      deliveryId: string | undefined;
      reason: TSuppressionReason;
      classification: string | null;
      source: TEvidenceSource;
    }) => {
      const { rows } = await db.execute<{ id: string }>(sql`
        insert into suppressions (email_hash, reason, classification, source, delivery_id)
        select email_hash, ${reason}, ${classification}, ${source}, ${deliveryId ?? null}::uuid from subscribers where id = ${subscriberId}::uuid
        on conflict (email_hash) do nothing
        returning id
      `);
      return { suppressionId: rows[0]?.id };
    },

    suppressHash: async ({ emailHash, reason, source }: { emailHash: string; reason: TSuppressionReason; source: TEvidenceSource }) => {
      const { rows } = await db.execute<{ id: string }>(sql`
        insert into suppressions (email_hash, reason, source) values (${emailHash}, ${reason}, ${source})
        on conflict (email_hash) do nothing returning id
      `);
      return { suppressionId: rows[0]?.id };
    },

    /** Unsubscribes a pending or confirmed subscriber; returns whether the status changed. */
    unsubscribe: async ({ subscriberId }: { subscriberId: string }) => {
      const { rows } = await db.execute<{ id: string }>(sql`
        update subscribers set status = 'unsubscribed', unsubscribed_at = now(), updated_at = now()
        where id = ${subscriberId}::uuid and status in ('pending', 'confirmed') returning id
      `);
      return { isUnsubscribed: rows.length > 0 };
    },

    listSuppressions: async ({ limit, offset }: { limit: number; offset: number }) => {
      const { rows } = await db.execute<{
        id: string;
        reason: TSuppressionReason;
        classification: string | null;
        source: string;
        created_at: string | Date;
        subscriber_id: string | null;
        email: string | null;
        email_hash: string;
        total: number;
      }>(sql`
        select x.id, x.reason, x.classification, x.source, x.created_at, x.email_hash, s.id as subscriber_id, s.email,
               count(*) over ()::int as total
        from suppressions x left join subscribers s on s.email_hash = x.email_hash
        order by x.created_at desc, x.id
        limit ${limit} offset ${offset}
      `);
      const suppressions: TSuppressionRow[] = rows.map((row) => ({
        id: row.id,
        reason: row.reason,
        classification: row.classification,
        source: row.source,
        createdAt: new Date(row.created_at),
        subscriberId: row.subscriber_id,
        email: row.email,
        emailHash: row.email_hash,
      }));
      return { suppressions, total: rows[0]?.total ?? 0 };
    },

    deleteSuppression: async ({ id }: { id: string }) => {
      const { rows } = await db.execute<{ reason: TSuppressionReason; subscriber_id: string | null }>(sql`
        with lifted as (delete from suppressions where id = ${id}::uuid returning email_hash, reason)
        select lifted.reason, s.id as subscriber_id from lifted left join subscribers s on s.email_hash = lifted.email_hash
      `);
      return { lifted: rows[0] && { reason: rows[0].reason, subscriberId: rows[0].subscriber_id } };
    },

    isSuppressed: async ({ emailHash }: { emailHash: string }) => {
      const { rows } = await db.execute(sql`select 1 from suppressions where email_hash = ${emailHash}`);
      return rows.length > 0;
    },
  };
}

async function subject(db: TDb, query: ReturnType<typeof sql>): Promise<{ subject: TEvidenceSubject | undefined }> {
  const { rows } = await db.execute<{ subscriber_id: string; delivery_id: string | null }>(query);
  const [row] = rows;
  return { subject: row && { subscriberId: row.subscriber_id, deliveryId: row.delivery_id ?? undefined } };
}

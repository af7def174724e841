import type { TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';

/**
 * Pending subscribers whose confirmation was never sent: the job was lost with Redis after
 * the API answered 202, or the enqueue failed and the API answered 503 (the row is kept).
 * Postgres is the truth: these are re-queued, and the worker's claim on
 * `last_confirmation_sent_at` still allows one email per interval.
 */
export async function findUnsentConfirmations({ db, createdBefore, createdAfter, limit }: { db: TDb; createdBefore: Date; createdAfter: Date; limit: number }) {
  const { rows } = await db.execute<{ id: string }>(sql`
    select id from subscribers
    where status = 'pending' and last_confirmation_sent_at is null and email is not null
      and not exists (select 1 from suppressions x where x.email_hash = subscribers.email_hash)
      and created_at < ${createdBefore.toISOString()}::timestamptz
      and created_at >= ${createdAfter.toISOString()}::timestamptz
    order by created_at
    limit ${limit}
  `);
  return { subscriberIds: rows.map((row) => row.id) };
}

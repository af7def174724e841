import type { TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';

/** Counts a refused digest against its subscriber and logs it in the consent log, in one statement. */
export async function recordBounce({ db, subscriberId, deliveryId, reason }: { db: TDb; subscriberId: string; deliveryId: string; reason: string }) {
  await db.execute(sql`
    with bumped as (
      update subscribers set bounce_count = bounce_count + 1 where id = ${subscriberId}::uuid returning id
    )
    insert into consent_events (subscriber_id, kind, details)
    select id, 'bounce', ${JSON.stringify({ deliveryId, reason })}::jsonb from bumped
  `);
}

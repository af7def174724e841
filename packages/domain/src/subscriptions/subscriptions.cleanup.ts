import { sqlArray, type TDatabase, type TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';

const DAY_MS = 86_400_000;

/**
 * Removes signups nobody confirmed once their confirmation link has expired (CONFIRM_TOKEN_TTL_DAYS
 * after the last one was sent, or after the signup when none was): the subscriber row, its topic
 * and keyword links, and its signup events, which record an agreement that never happened. A
 * returning subscriber whose resubscribe went unconfirmed keeps their history (they have other
 * consent events) and is left alone. Keyword phrases nobody holds any more go too, with their
 * paper matches. Signing up again later simply starts afresh.
 */
export async function removeExpiredSignups({
  db,
  confirmTokenTtlDays,
  now = new Date(),
  limit = 1_000,
}: {
  db: TDatabase;
  confirmTokenTtlDays: number;
  now?: Date;
  limit?: number;
}): Promise<{ removedSubscribers: number; droppedKeywords: number }> {
  const expiredBefore = new Date(now.getTime() - confirmTokenTtlDays * DAY_MS).toISOString();
  return db.transaction(async (tx) => {
    // 1. Pending, never confirmed, link expired, and nothing in the consent log but signups.
    //    Locked (skipping rows a signup holds right now) so a late confirm cannot interleave.
    const { rows: expired } = await tx.execute<{ id: string }>(sql`
      select s.id from subscribers s
      where s.status = 'pending' and s.confirmed_at is null
        and coalesce(s.last_confirmation_sent_at, s.created_at) < ${expiredBefore}::timestamptz
        and not exists (select 1 from consent_events c where c.subscriber_id = s.id and c.kind <> 'signup')
      order by s.created_at
      limit ${limit}
      for update of s skip locked`);
    const ids = expired.map((row) => row.id);
    if (ids.length > 0) {
      // 2. Their signup events: the one deletion the consent log's trigger allows, and only in
      //    a transaction that declares itself this clean-up.
      await tx.execute(sql`set local paperboy.removing_expired_signups = 'on'`);
      await tx.execute(sql`delete from consent_events where subscriber_id = any(${sqlArray(ids, 'uuid')})`);
      // 3. The rows; topic links, keyword links and anything else keyed on them cascade.
      await tx.execute(sql`delete from subscribers where id = any(${sqlArray(ids, 'uuid')})`);
    }
    // 4. Phrases no subscriber holds any more; their paper_keywords rows cascade.
    const { droppedKeywords } = await dropUnheldKeywords(tx);
    return { removedSubscribers: ids.length, droppedKeywords };
  });
}

/**
 * Deletes the phrases no subscriber holds, without racing a signup that links one: a signup
 * key-share locks the phrases it links (the link's foreign key would too), so the unheld ones
 * are locked first, skipping those a signup holds; a signup that comes later waits for this
 * transaction and then creates the phrase afresh. Once locked no new link can appear, but one
 * committed since the first look can have: the delete looks again, in a newer snapshot, or
 * the cascade would remove a link that was just made.
 */
async function dropUnheldKeywords(tx: TDb): Promise<{ droppedKeywords: number }> {
  const { rows: unheld } = await tx.execute<{ id: number }>(sql`
    select k.id from keywords k
    where not exists (select 1 from subscriber_keywords sk where sk.keyword_id = k.id)
    for update of k skip locked`);
  if (unheld.length === 0) return { droppedKeywords: 0 };
  const { rows: dropped } = await tx.execute<{ id: number }>(sql`
    delete from keywords k
    where k.id = any(${sqlArray(unheld.map((row) => row.id), 'integer')})
      and not exists (select 1 from subscriber_keywords sk where sk.keyword_id = k.id)
    returning k.id`);
  return { droppedKeywords: dropped.length };
}

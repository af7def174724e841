import { keywords, subscriberKeywords, sqlArray, type subscribers, type TDb } from '@paperboy/db';
import { eq, inArray, sql } from 'drizzle-orm';

/** Phrases in one order for every signup, so two inserting the same new phrases cannot deadlock. */
const inLockOrder = (phrases: string[]) => [...phrases].sort();

/**
 * Inserts the phrases not known yet ("do nothing": a no-op update would lock a popular phrase
 * until commit, queueing every signup choosing it), then reads every id under a key-share lock:
 * the expired-signup sweep skips a phrase so locked, and one it is deleting is waited for and left out.
 */
async function upsertPhrases(db: TDb, phrases: string[]) {
  const inserted = await db
    .insert(keywords)
    .values(inLockOrder(phrases).map((phrase) => ({ phrase })))
    .onConflictDoNothing({ target: keywords.phrase })
    .returning({ id: keywords.id });
  const rows = await db.select({ id: keywords.id, phrase: keywords.phrase }).from(keywords).where(inArray(keywords.phrase, phrases)).for('key share');
  return { inserted, rows };
}

/**
 * A signup's whole write for an address never seen before, in one statement (one round
 * trip, atomic by itself): the pending row, its topics, its keyword phrases (upserted) and
 * the consent event. Writes nothing when the address is already known or a topic slug is
 * unknown; either way it returns the ids of the slugs that exist.
 *
 * `linkedKeywords` can fall short of the phrases only when another signup inserted one of
 * them, new, during this statement (this statement's snapshot cannot see that row), or the
 * expired-signup sweep removed one: the caller then links the phrases again with `replaceKeywords`.
 */
export async function insertNewSignup(
  db: TDb,
  {
    email,
    emailHash,
    frequency,
    digestSize,
    topicSlugs,
    phrases,
    consent,
  }: {
    email: string;
    emailHash: string;
    frequency: (typeof subscribers.$inferSelect)['frequency'];
    digestSize: number;
    topicSlugs: string[];
    phrases: string[];
    consent: { ip: string | null; userAgent: string | null; details: Record<string, unknown>; occurredAt: Date };
  },
) {
  const { rows } = await db.execute<{
    id: string | null;
    topic_ids: number[];
    topic_slugs: string[];
    new_keyword_ids: number[];
    linked_keywords: number;
  }>(sql`
    -- 1. The topics asked for that exist. Unknown slugs are a 400 ("nothing half-written"):
    --    step 2 inserts nothing unless every slug was found.
    with wanted_topics as (
      select id, slug from topics where slug = any(${sqlArray(topicSlugs, 'text')})
    ),
    -- 2. The subscriber, pending ("double opt-in"), only for an address never seen before:
    --    a known one (pending, confirmed, unsubscribed or erased) conflicts on its HMAC and
    --    nothing is written, so the caller handles it and the answer stays the same 202.
    created as (
      insert into subscribers (email, email_hash, frequency, digest_size, status)
      select ${email}, ${emailHash}, ${frequency}, ${digestSize}, 'pending'
      where (select count(*) from wanted_topics) = ${topicSlugs.length}
      on conflict (email_hash) do nothing
      returning id
    ),
    -- 3. Its topics, only if step 2 created it.
    chosen_topics as (
      insert into subscriber_topics (subscriber_id, topic_id)
      select created.id, wanted_topics.id from created cross join wanted_topics
    ),
    -- 4. Keyword phrases nobody chose before, shared by everyone who chooses them later;
    --    inserted in a fixed order so concurrent signups lock them in the same order.
    new_keywords as (
      insert into keywords (phrase)
      select chosen.phrase from created cross join unnest(${sqlArray(inLockOrder(phrases), 'text')}) as chosen(phrase)
      on conflict (phrase) do nothing
      returning id
    ),
    -- 5. The phrases already known, key-share locked: the expired-signup sweep skips them,
    --    and one it is deleting is waited for and left out (step 4 inserts it afresh).
    known_keywords as (
      select id from keywords where phrase = any(${sqlArray(phrases, 'text')}) for key share
    ),
    -- 6. Its links to every chosen phrase, new (step 4) or already known (step 5).
    linked_keywords as (
      insert into subscriber_keywords (subscriber_id, keyword_id)
      select created.id, chosen.id
      from created cross join (select id from new_keywords union select id from known_keywords) chosen
      returning keyword_id
    ),
    -- 7. The consent log's signup event: what was chosen, when, and from where (the IP and
    --    user agent are nulled if the subscriber later erases their data).
    consented as (
      insert into consent_events (subscriber_id, kind, ip, user_agent, details, occurred_at)
      select created.id, 'signup', ${consent.ip}, ${consent.userAgent?.slice(0, 500) ?? null}, ${JSON.stringify(consent.details)}::jsonb,
        ${consent.occurredAt.toISOString()}::timestamptz
      from created
    )
    -- What the caller needs: the new id (null when the address was known), the topics found,
    -- the phrases nobody had chosen (to match them against recent papers at once), and how
    -- many links step 6 made.
    select (select id from created) as id,
      array(select id from wanted_topics) as topic_ids,
      array(select slug from wanted_topics) as topic_slugs,
      array(select id from new_keywords) as new_keyword_ids,
      (select count(*) from linked_keywords)::int as linked_keywords
  `);
  const row = rows[0]!;
  const known = new Set(row.topic_slugs);
  return {
    subscriberId: row.id ?? undefined,
    topicIds: row.topic_ids,
    unknownSlugs: topicSlugs.filter((slug) => !known.has(slug)),
    newKeywordIds: row.new_keyword_ids,
    linkedKeywords: row.linked_keywords,
  };
}

/**
 * Phrases are shared rows in `keywords`: upsert them, then link this subscriber to exactly
 * these. Returns the phrases nobody had chosen before: they have never been matched.
 */
export async function replaceKeywords(
  db: TDb,
  { subscriberId, phrases }: { subscriberId: string; phrases: string[] },
): Promise<{ newKeywordIds: number[] }> {
  await db.delete(subscriberKeywords).where(eq(subscriberKeywords.subscriberId, subscriberId));
  if (phrases.length === 0) return { newKeywordIds: [] };
  const keywordIds: number[] = [];
  const newKeywordIds: number[] = [];
  // A phrase the sweep deleted between upsert and look-up is missing: upsert it again (a row
  // this transaction inserts is one no sweep can see, so the next round finds it).
  for (let wanted = phrases; wanted.length > 0; ) {
    const { inserted, rows } = await upsertPhrases(db, wanted);
    keywordIds.push(...rows.map((row) => row.id));
    newKeywordIds.push(...inserted.map((row) => row.id));
    const found = new Set(rows.map((row) => row.phrase));
    wanted = wanted.filter((phrase) => !found.has(phrase));
  }
  await db.insert(subscriberKeywords).values(keywordIds.map((keywordId) => ({ subscriberId, keywordId })));
  return { newKeywordIds };
}

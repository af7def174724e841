import type { TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';

export type TChaosFixture = { confirmed: number; unsubscribed: number; domain: string };

/**
 * A weekly audience written with set-based SQL (thousands of rows in milliseconds): one topic,
 * three fresh papers matched to it, `count` confirmed readers of the topic, and readers who
 * unsubscribed or never confirmed, who must never get a digest.
 */
export async function insertChaosAudience({ db, count, domain = 'chaos.example' }: { db: TDb; count: number; domain?: string }): Promise<TChaosFixture> {
  await db.execute(sql`
    insert into topics (slug, name, description, terms)
    values ('chaos', 'Fault tolerance', 'Papers for the chaos suite', '[{"term": "fault tolerance", "weight": 1}]'::jsonb)
    on conflict do nothing
  `);
  await db.execute(sql`
    insert into papers (arxiv_id, title, abstract, authors, upvotes, source, ingested_at, matched_at)
    select '2612.' || lpad(n::text, 5, '0'), 'Fault-tolerant paper ' || n, 'An abstract about surviving failures, number ' || n || '.',
           array['Ada Lovelace', 'Barbara Liskov'], 10 * n, 'chaos', now() - interval '1 hour', now()
    from generate_series(1, 3) as n
  `);
  await db.execute(sql`
    insert into paper_topics (paper_id, topic_id, score, matched_terms)
    select p.id, t.id, 2, array['fault tolerance'] from papers p cross join topics t where p.source = 'chaos' and t.slug = 'chaos'
  `);
  // The matches above are set by hand and the papers marked matched, so the worker's sweep of
  // unmatched papers leaves them as they are.
  const unsubscribed = Math.max(10, Math.round(count / 100));
  // Pending readers were sent their confirmation and never clicked it, as real ones are. Left
  // without last_confirmation_sent_at they would look like signups whose confirmation Redis lost,
  // and the worker's confirmation sweep would rightly mail them once a run outlasts its grace period.
  await db.execute(sql`
    insert into subscribers (email, email_hash, status, frequency, digest_size, confirmed_at, last_confirmation_sent_at)
    select 'reader' || n || '@' || ${domain}, md5(${domain} || n),
           case when n > ${count + unsubscribed}::int then 'pending' when n > ${count}::int then 'unsubscribed' else 'confirmed' end::subscriber_status,
           'weekly', 5,
           case when n > ${count + unsubscribed}::int then null else now() - interval '1 day' end,
           case when n > ${count + unsubscribed}::int then now() - interval '1 day' end
    from generate_series(1, ${count + 2 * unsubscribed}::int) as n
  `);
  await db.execute(sql`
    insert into subscriber_topics (subscriber_id, topic_id)
    select s.id, t.id from subscribers s cross join topics t where t.slug = 'chaos' and s.email like ${'%@' + domain}
  `);
  return { confirmed: count, unsubscribed, domain };
}

/**
 * Unsubscribes `count` readers after their deliveries were planned and before the run starts:
 * the send path, not the planner, must keep them out.
 */
export async function unsubscribeBeforeStart({ db, count, domain = 'chaos.example' }: { db: TDb; count: number; domain?: string }): Promise<number> {
  const { rows } = await db.execute<{ id: string }>(sql`
    update subscribers set status = 'unsubscribed', unsubscribed_at = now()
    where id in (select id from subscribers where status = 'confirmed' and email like ${'%@' + domain} order by email limit ${count}::int)
    returning id
  `);
  return rows.length;
}

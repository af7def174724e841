import type { TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';
import type { TFrequency } from './digests.periods.ts';

// How many ranked candidates each list keeps: per topic set, per keyword phrase, and per
// profile before a subscriber's already-sent papers are filtered out. A paper outside the
// top of every list a subscriber draws from is not a candidate for them; digests hold at
// most 20 papers, so 40 leaves room for papers already sent in an earlier run.
const CANDIDATES_PER_LIST = 40;

export type TPlanResult = { eligible: number; planned: number };

/**
 * Plans a run in one statement: one delivery per eligible subscriber (confirmed, not paused,
 * of the run's frequency, with at least one new matching paper), holding their top papers in
 * rank order with the reason each was picked.
 *
 * Subscribers who chose the same topics and keywords share an interest profile, and papers
 * are ranked once per profile, not once per subscriber: the cost grows with profiles x new
 * papers, plus one short, index-backed look-up in sent_papers per subscriber.
 */
export async function planDeliveries({
  db,
  runId,
  frequency,
  periodStart,
  periodEnd,
  now,
  onlySubscriberId,
}: {
  db: TDb;
  runId: string;
  frequency: TFrequency;
  periodStart: Date;
  periodEnd: Date;
  now: Date;
  /** Plans for this subscriber alone, whatever their status or frequency (an admin's preview). */
  onlySubscriberId?: string;
}): Promise<TPlanResult> {
  const eligibility = onlySubscriberId
    ? sql`s.id = ${onlySubscriberId}::uuid`
    : sql`s.status = 'confirmed'
        and s.frequency = ${frequency}
        and (s.paused_until is null or s.paused_until <= ${now.toISOString()}::timestamptz)`;
  const { rows } = await db.execute<{ eligible: string; planned: string }>(sql`
    with eligible as materialized (
      select s.id, s.digest_size,
             coalesce(t.ids, '{}') as topic_ids,
             coalesce(k.ids, '{}') as keyword_ids
      from subscribers s
      left join lateral (
        select array_agg(st.topic_id order by st.topic_id) as ids from subscriber_topics st where st.subscriber_id = s.id
      ) t on true
      left join lateral (
        select array_agg(sk.keyword_id order by sk.keyword_id) as ids from subscriber_keywords sk where sk.subscriber_id = s.id
      ) k on true
      where ${eligibility}
    ),
    fresh as materialized (
      select p.id, p.upvotes from papers p
      where p.ingested_at >= ${periodStart.toISOString()}::timestamptz
        and p.ingested_at < ${periodEnd.toISOString()}::timestamptz
    ),
    -- Level 1: the ranked papers for each distinct set of topics (a few thousand sets at most,
    -- however many subscribers), by the summed topic scores.
    topic_set_lists as materialized (
      select ts.topic_ids, c.paper_id, c.score, c.reason, c.position
      from (select distinct topic_ids from eligible where cardinality(topic_ids) > 0) ts
      cross join lateral (
        select pt.paper_id, sum(pt.score) as score,
               string_agg(t.name || case when cardinality(pt.matched_terms) > 0
                                         then ' (' || array_to_string(pt.matched_terms[1:3], ', ') || ')' else '' end,
                          ', ' order by pt.score desc) as reason,
               row_number() over (order by ${rankScoreSql(sql`sum(pt.score)`, sql`max(f.upvotes)`)} desc, pt.paper_id) as position
        from unnest(ts.topic_ids) as topic(id)
        join paper_topics pt on pt.topic_id = topic.id
        join fresh f on f.id = pt.paper_id
        join topics t on t.id = topic.id
        group by pt.paper_id
        order by position
        limit ${CANDIDATES_PER_LIST}
      ) c
    ),
    -- The best papers for each keyword phrase anyone of them chose.
    keyword_lists as materialized (
      select keyword_id, paper_id, score, reason
      from (
        select pk.keyword_id, pk.paper_id, pk.score, '"' || kw.phrase || '"' as reason,
               row_number() over (partition by pk.keyword_id
                                  order by ${rankScoreSql(sql`pk.score`, sql`f.upvotes`)} desc, pk.paper_id) as position
        from paper_keywords pk
        join fresh f on f.id = pk.paper_id
        join keywords kw on kw.id = pk.keyword_id
        where pk.keyword_id in (select distinct unnest(keyword_ids) from eligible)
      ) ranked_keywords
      where position <= ${CANDIDATES_PER_LIST}
    ),
    -- Level 2: for each distinct topics-and-keywords profile, merge its topic-set list with
    -- its keyword lists (a paper in several adds up its scores) and rank again.
    profile_lists as materialized (
      select pr.topic_ids, pr.keyword_ids, merged.paper_ids, merged.whys
      from (select distinct topic_ids, keyword_ids from eligible) pr
      cross join lateral (
        select array_agg(r.paper_id order by r.rank_score desc, r.paper_id) as paper_ids,
               array_agg(r.why order by r.rank_score desc, r.paper_id) as whys
        from (
          select c.paper_id,
                 ${rankScoreSql(sql`sum(c.score)`, sql`max(f.upvotes)`)} as rank_score,
                 string_agg(c.reason, ', ' order by c.score desc) || ' · ' || max(f.upvotes) || ' upvotes' as why
          from (
            select l.paper_id, l.score, l.reason from topic_set_lists l where l.topic_ids = pr.topic_ids
            union all
            select k.paper_id, k.score, k.reason from keyword_lists k where k.keyword_id = any(pr.keyword_ids)
          ) c
          join fresh f on f.id = c.paper_id
          group by c.paper_id
          order by rank_score desc, c.paper_id
          limit ${CANDIDATES_PER_LIST}
        ) r
      ) merged
      where merged.paper_ids is not null
    ),
    planned as (
      select e.id as subscriber_id, chosen.items
      from eligible e
      join profile_lists l on l.topic_ids = e.topic_ids and l.keyword_ids = e.keyword_ids
      cross join lateral (
        select jsonb_agg(jsonb_build_object('paperId', c.paper_id, 'why', c.why) order by c.ord) as items
        from (
          select u.paper_id, u.why, u.ord
          from unnest(l.paper_ids, l.whys) with ordinality as u(paper_id, why, ord)
          where not exists (select 1 from sent_papers sp where sp.subscriber_id = e.id and sp.paper_id = u.paper_id)
          order by u.ord
          limit e.digest_size
        ) c
      ) chosen
      where chosen.items is not null
    ),
    inserted as (
      insert into deliveries (run_id, subscriber_id, items)
      select ${runId}::uuid, subscriber_id, items from planned
      on conflict (run_id, subscriber_id) do nothing
      returning 1
    )
    select (select count(*) from eligible) as eligible, (select count(*) from inserted) as planned
  `);
  const row = rows[0];
  return { eligible: Number(row?.eligible ?? 0), planned: Number(row?.planned ?? 0) };
}

/**
 * A paper's rank for a subscriber: how well it matches their topics and keywords, lifted by
 * how much the community upvoted it. The lift is logarithmic, so a strong match with a few
 * upvotes still beats a weak match with many (see README, "Ranking").
 */
export function rankScoreSql(relevance: ReturnType<typeof sql>, upvotes: ReturnType<typeof sql>) {
  return sql`(${relevance} * (1 + ln(1 + greatest(${upvotes}, 0)) / 4))`;
}

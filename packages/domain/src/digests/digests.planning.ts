import type { TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';
import { rankSql } from '../matching/matching.candidates.ts';
import type { TFrequency } from './digests.periods.ts';

// How many ranked candidates each list keeps: per topic set, per keyword phrase and per
// profile. Digests hold at most 20 papers; the rest is room for papers a subscriber already
// received. A paper outside the top of every list a subscriber draws from is not a
// candidate for them (README, "Planning").
const CANDIDATES_PER_LIST = 30;

export type TPlanResult = { eligible: number; planned: number };

/**
 * Plans a run in one INSERT ... SELECT: one delivery per eligible subscriber (confirmed, not
 * paused, of the run's frequency, with at least one new matching paper) holding their top
 * papers in rank order.
 *
 * Cost does not grow with subscribers x papers. Papers are ranked once per distinct set of
 * topics (a few thousand at most) and once per keyword phrase; each distinct profile
 * (topics and keywords) merges its few short lists; a subscriber then takes the head of their
 * profile's list, and only subscribers who already received one of the period's papers pay
 * for a look-up in sent_papers. Only numbers move: the reasons are written at render time.
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
  // The merge sorts a few million small rows; with the default 4 MB they spill to disk.
  // Local to the transaction the run is created in.
  await db.execute(sql`set local work_mem = '256MB'`);
  const { rows } = await db.execute<{ eligible: string; planned: string }>(sql`
    with eligible as materialized (
      select s.id, s.digest_size, coalesce(t.ids, '{}') as topic_ids, coalesce(k.ids, '{}') as keyword_ids
      from subscribers s
      left join (
        select subscriber_id, array_agg(topic_id order by topic_id) as ids from subscriber_topics group by subscriber_id
      ) t on t.subscriber_id = s.id
      left join (
        select subscriber_id, array_agg(keyword_id order by keyword_id) as ids from subscriber_keywords group by subscriber_id
      ) k on k.subscriber_id = s.id
      where ${eligibility}
    ),
    fresh as materialized (
      select p.id, p.upvotes from papers p
      where p.ingested_at >= ${periodStart.toISOString()}::timestamptz
        and p.ingested_at < ${periodEnd.toISOString()}::timestamptz
    ),
    topic_sets as materialized (
      select row_number() over () as set_id, topic_ids
      from (select distinct topic_ids from eligible where cardinality(topic_ids) > 0) distinct_sets
    ),
    topic_set_lists as materialized (
      select set_id, paper_id, score
      from (
        select ts.set_id, pt.paper_id, sum(pt.score) as score,
               row_number() over (partition by ts.set_id
                                  order by ${rankSql(sql`sum(pt.score)`, sql`max(f.upvotes)`)} desc, pt.paper_id desc) as position
        from topic_sets ts
        cross join unnest(ts.topic_ids) as topic(id)
        join paper_topics pt on pt.topic_id = topic.id
        join fresh f on f.id = pt.paper_id
        group by ts.set_id, pt.paper_id
      ) ranked
      where position <= ${CANDIDATES_PER_LIST}
    ),
    keyword_lists as materialized (
      select keyword_id, paper_id, score
      from (
        select pk.keyword_id, pk.paper_id, pk.score,
               row_number() over (partition by pk.keyword_id
                                  order by ${rankSql(sql`pk.score`, sql`f.upvotes`)} desc, pk.paper_id desc) as position
        from paper_keywords pk
        join fresh f on f.id = pk.paper_id
        where pk.keyword_id in (select distinct unnest(keyword_ids) from eligible)
      ) ranked
      where position <= ${CANDIDATES_PER_LIST}
    ),
    -- Plain joins throughout: materialized CTEs have no indexes, so a correlated look-up into
    -- one would be quadratic.
    profiles as materialized (
      select row_number() over () as profile_id, d.topic_ids, d.keyword_ids, ts.set_id
      from (select distinct topic_ids, keyword_ids from eligible) d
      left join topic_sets ts on ts.topic_ids = d.topic_ids
    ),
    -- Profiles without keywords take their topic set's list as it is; the others merge it with
    -- their keyword lists, a paper on several lists adding up its scores.
    profile_lists as materialized (
      select p.profile_id, array_agg(l.paper_id order by ${rankSql(sql`l.score`, sql`f.upvotes`)} desc, l.paper_id desc) as paper_ids
      from profiles p
      join topic_set_lists l on l.set_id = p.set_id
      join fresh f on f.id = l.paper_id
      where cardinality(p.keyword_ids) = 0
      group by p.profile_id
      union all
      select profile_id, array_agg(paper_id order by position) as paper_ids
      from (
        select c.profile_id, c.paper_id,
               row_number() over (partition by c.profile_id
                                  order by ${rankSql(sql`sum(c.score)`, sql`max(f.upvotes)`)} desc, c.paper_id desc) as position
        from (
          select p.profile_id, l.paper_id, l.score
          from profiles p join topic_set_lists l on l.set_id = p.set_id
          where cardinality(p.keyword_ids) > 0
          union all
          select p.profile_id, k.paper_id, k.score
          from profiles p
          cross join unnest(p.keyword_ids) as keyword(id)
          join keyword_lists k on k.keyword_id = keyword.id
        ) c
        join fresh f on f.id = c.paper_id
        group by c.profile_id, c.paper_id
      ) merged
      where position <= ${CANDIDATES_PER_LIST}
      group by profile_id
    ),
    -- The few subscribers who already received one of this period's papers.
    already_sent as materialized (
      select distinct sp.subscriber_id from sent_papers sp join fresh f on f.id = sp.paper_id
    ),
    planned as (
      select e.id as subscriber_id,
             case when a.subscriber_id is null
                  then l.paper_ids[1:e.digest_size]
                  else array(
                    select u.paper_id
                    from unnest(l.paper_ids) with ordinality as u(paper_id, ord)
                    where not exists (select 1 from sent_papers sp where sp.subscriber_id = e.id and sp.paper_id = u.paper_id)
                    order by u.ord
                    limit e.digest_size
                  )
             end as paper_ids
      from eligible e
      join profiles p on p.topic_ids = e.topic_ids and p.keyword_ids = e.keyword_ids
      join profile_lists l on l.profile_id = p.profile_id
      left join already_sent a on a.subscriber_id = e.id
    ),
    inserted as (
      insert into deliveries (run_id, subscriber_id, paper_ids)
      select ${runId}::uuid, subscriber_id, paper_ids from planned where cardinality(paper_ids) > 0
      on conflict (run_id, subscriber_id) do nothing
      returning 1
    )
    select (select count(*) from eligible) as eligible, (select count(*) from inserted) as planned
  `);
  const row = rows[0];
  return { eligible: Number(row?.eligible ?? 0), planned: Number(row?.planned ?? 0) };
}

import { sqlArray, type TDb } from '@paperboy/db';
import { sql, type SQL } from 'drizzle-orm';
import type { TRating } from '../ranking/ranking.profile.ts';
import type { TRatedTopics } from '../ranking/ranking.diversity.ts';
import type { TFrequency } from './digests.periods.ts';

// The latest ratings per reader that shape their profile: enough to learn a taste, bounded so
// one prolific reader costs what any other does.
const RATINGS_PER_READER = 100;

export type TScope = { eligibility: SQL; inPeriod: SQL };
export type TAudienceRow = { id: string; digest_size: number; topic_ids: string | null; keyword_ids: string | null };

/** Which subscribers and which papers a run plans for, as SQL conditions on `s` (subscribers) and `p` (papers). */
export function planningScope({
  frequency,
  periodStart,
  periodEnd,
  now,
  onlySubscriberId,
  audienceFilter,
}: {
  frequency: TFrequency;
  periodStart: Date;
  periodEnd: Date;
  now: Date;
  onlySubscriberId?: string;
  audienceFilter?: SQL;
}): TScope {
  const eligibility = onlySubscriberId
    ? sql`s.id = ${onlySubscriberId}::uuid`
    : sql`s.status = 'confirmed'
        and s.frequency = ${frequency}
        and (s.paused_until is null or s.paused_until <= ${now.toISOString()}::timestamptz)
        and not exists (select 1 from suppressions x where x.email_hash = s.email_hash)
        and ${audienceFilter ?? sql`true`}`;
  const inPeriod = sql`p.ingested_at >= ${periodStart.toISOString()}::timestamptz and p.ingested_at < ${periodEnd.toISOString()}::timestamptz`;
  return { eligibility, inPeriod };
}

/** The period's topic and keyword matches, each with the paper's upvotes. */
export async function loadMatches({ db, scope }: { db: TDb; scope: TScope }) {
  type TRow = { list_id: number; paper_id: string; score: number; upvotes: number };
  const { rows: topicRows } = await db.execute<TRow>(sql`
    select pt.topic_id as list_id, pt.paper_id, pt.score, p.upvotes from paper_topics pt join papers p on p.id = pt.paper_id where ${scope.inPeriod}
  `);
  const { rows: keywordRows } = await db.execute<TRow>(sql`
    select pk.keyword_id as list_id, pk.paper_id, pk.score, p.upvotes from paper_keywords pk join papers p on p.id = pk.paper_id where ${scope.inPeriod}
  `);
  const toMatch = (row: TRow) => ({ listId: row.list_id, paperId: Number(row.paper_id), score: row.score, upvotes: row.upvotes });
  return { topicMatches: topicRows.map(toMatch), keywordMatches: keywordRows.map(toMatch) };
}

/**
 * The eligible subscribers with their profile. The profile comes back as two short strings
 * ("3,7,12"), so that grouping subscribers by profile is a string look-up, not an array parse per row.
 */
export async function loadAudience({ db, scope }: { db: TDb; scope: TScope }): Promise<TAudienceRow[]> {
  const { rows } = await db.execute<TAudienceRow>(sql`
    select s.id, s.digest_size, t.ids as topic_ids, k.ids as keyword_ids
    from subscribers s
    left join (
      select subscriber_id, string_agg(topic_id::text, ',' order by topic_id) as ids from subscriber_topics group by subscriber_id
    ) t on t.subscriber_id = s.id
    left join (
      select subscriber_id, string_agg(keyword_id::text, ',' order by keyword_id) as ids from subscriber_keywords group by subscriber_id
    ) k on k.subscriber_id = s.id
    where ${scope.eligibility}
  `);
  return rows;
}

/**
 * The (subscriber, paper) pairs of this period never to plan: papers this audience already
 * received in an earlier run (usually none, at most the digests of a run already sent for the
 * period), and papers they rated down, every one of them: the ratings that shape a profile are
 * only the latest RATINGS_PER_READER, and "rated down, never sent again" has no such limit.
 */
export async function loadReceived({ db, scope }: { db: TDb; scope: TScope }): Promise<Map<string, Set<number>>> {
  const { rows } = await db.execute<{ subscriber_id: string; paper_id: string }>(sql`
    select sp.subscriber_id, sp.paper_id
    from sent_papers sp join papers p on p.id = sp.paper_id join subscribers s on s.id = sp.subscriber_id
    where ${scope.inPeriod} and ${scope.eligibility}
    union all
    select r.subscriber_id, r.paper_id
    from paper_ratings r join papers p on p.id = r.paper_id join subscribers s on s.id = r.subscriber_id
    where r.rating < 0 and ${scope.inPeriod} and ${scope.eligibility}
  `);
  const receivedBy = new Map<string, Set<number>>();
  for (const row of rows) {
    const papers = receivedBy.get(row.subscriber_id) ?? new Set<number>();
    papers.add(Number(row.paper_id));
    receivedBy.set(row.subscriber_id, papers);
  }
  return receivedBy;
}

/**
 * Each reader's latest ratings, newest first, with the papers they named as liked counting as
 * rated up (unless they rated that paper, before or after). Papers rated down are never sent to
 * them again (those older than the latest ratings too: `loadReceived` excludes them).
 */
export async function loadRatings({ db, scope }: { db: TDb; scope: TScope }): Promise<Map<string, TRating[]>> {
  // One row per reader, the ratings as one string of signed paper ids ("12,-40,7"; minus: rated
  // down), newest first: a few thousand rows to read instead of a row per rating. An ordered
  // array_agg cut to the latest ones took half the time of a row_number() window over every
  // rating (PostgreSQL 15, 600,000 ratings).
  const { rows } = await db.execute<{ subscriber_id: string; ratings: string }>(sql`
    select r.subscriber_id,
      array_to_string((array_agg(r.rating * r.paper_id order by r.rated_at desc, r.paper_id desc))[:${RATINGS_PER_READER}], ',') as ratings
    from (
      select subscriber_id, paper_id, rating, rated_at from paper_ratings
      union all
      select sp.subscriber_id, sp.paper_id, 1, sp.added_at from subscriber_seed_papers sp
      where sp.paper_id is not null
        and not exists (select 1 from paper_ratings pr where pr.subscriber_id = sp.subscriber_id and pr.paper_id = sp.paper_id)
    ) r join subscribers s on s.id = r.subscriber_id
    where ${scope.eligibility}
    group by r.subscriber_id
  `);
  const toRating = (signed: string): TRating => {
    const paperId = Number(signed);
    return paperId < 0 ? { paperId: -paperId, rating: -1 } : { paperId, rating: 1 };
  };
  return new Map(rows.map((row) => [row.subscriber_id, row.ratings.split(',').map(toRating)]));
}

/**
 * The topics of the papers readers rated, whatever their period, with their scores: which topic
 * of a reader's each rating speaks about, for their share of the digest per topic.
 */
export async function loadRatedTopics({ db, paperIds }: { db: TDb; paperIds: number[] }): Promise<TRatedTopics> {
  const { rows } = await db.execute<{ paper_id: string; topic_id: number; score: number }>(sql`
    select paper_id, topic_id, score from paper_topics where paper_id = any(${sqlArray(paperIds, 'bigint')})
  `);
  const rated: TRatedTopics = new Map();
  for (const row of rows) {
    const paperId = Number(row.paper_id);
    rated.set(paperId, [...(rated.get(paperId) ?? []), { listId: row.topic_id, score: row.score }]);
  }
  return rated;
}

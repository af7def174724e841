import { sqlArray, type TDb } from '@paperboy/db';
import { sql, type SQL } from 'drizzle-orm';
import { createPersonalRanker, type TPersonalRanker, type TRating } from '../ranking/ranking.personal.ts';
import { createTopicRanker, type TTopicRanker } from '../ranking/ranking.topics.ts';
import { loadPaperVectors } from '../ranking/ranking.vectors.ts';
import type { TFrequency } from './digests.periods.ts';

// The latest ratings per reader that shape their profile: enough to learn a taste, bounded so
// one prolific reader costs what any other does.
const RATINGS_PER_READER = 100;
// Delivery rows per INSERT: big enough to amortise the round trip, small enough that one
// statement's arrays stay a few MB.
const INSERT_CHUNK = 20_000;

export type TPlanResult = { eligible: number; planned: number };

type TScope = { eligibility: SQL; inPeriod: SQL };
type TAudienceRow = { id: string; digest_size: number; topic_ids: string | null; keyword_ids: string | null };
type TPlannedDigest = { subscriberId: string; paperIds: number[]; likedPaperIds: number[] };

/**
 * Plans a run: one delivery per eligible subscriber (confirmed, not paused, of the run's
 * frequency, with at least one new matching paper) holding their top papers in rank order.
 *
 * The database does what it is fast at (reading the period's matches and the audience, and
 * inserting the rows in bulk); the ranking runs here (ranking/), where merging a few short
 * lists per profile costs microseconds instead of a multi-million-row sort. Readers who rated
 * papers are ranked by their ratings too, over paper vectors computed once for the run. Only
 * numbers move: the reasons are written at render time.
 */
export async function planDeliveries({
  db,
  runId,
  frequency,
  periodStart,
  periodEnd,
  now,
  onlySubscriberId,
  audienceFilter,
}: {
  db: TDb;
  runId: string;
  frequency: TFrequency;
  periodStart: Date;
  periodEnd: Date;
  now: Date;
  /** Plans for this subscriber alone, whatever their status or frequency (an admin's preview). */
  onlySubscriberId?: string;
  /** A further condition on the audience (alias `s`), e.g. `notMailedSince`. */
  audienceFilter?: SQL;
}): Promise<TPlanResult> {
  const scope = planningScope({ frequency, periodStart, periodEnd, now, onlySubscriberId, audienceFilter });
  // One after another: `db` is usually the run's transaction, a single connection.
  const ranker = createTopicRanker(await loadMatches({ db, scope }));
  const audience = await loadAudience({ db, scope });
  const received = await loadReceived({ db, scope });
  const ratings = await loadRatings({ db, scope });
  const personal = ratings.size === 0 ? undefined : await createPersonalRankerForRun({ db, ranker, ratings });
  const digests = chooseDigests({ audience, received, ranker, ratings, personal });
  const planned = await insertDeliveries({ db, runId, digests });
  return { eligible: audience.length, planned };
}

function planningScope({
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
async function loadMatches({ db, scope }: { db: TDb; scope: TScope }) {
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
async function loadAudience({ db, scope }: { db: TDb; scope: TScope }): Promise<TAudienceRow[]> {
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
async function loadReceived({ db, scope }: { db: TDb; scope: TScope }): Promise<Map<string, Set<number>>> {
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
 * rated up (unless they rated that paper since). Papers rated down are never sent to them again
 * (those older than the latest ratings too: `loadReceived` excludes them).
 */
async function loadRatings({ db, scope }: { db: TDb; scope: TScope }): Promise<Map<string, TRating[]>> {
  // One row per reader, the ratings as one string of signed paper ids ("12,-40,7"; minus: rated
  // down), newest first: a few thousand rows to read instead of a row per rating.
  const { rows } = await db.execute<{ subscriber_id: string; ratings: string }>(sql`
    select subscriber_id, string_agg((rating * paper_id)::text, ',' order by recency) as ratings from (
      select r.subscriber_id, r.paper_id, r.rating,
        row_number() over (partition by r.subscriber_id order by r.rated_at desc, r.paper_id desc) as recency
      from (
        select subscriber_id, paper_id, rating, rated_at from paper_ratings
        union all
        select sp.subscriber_id, sp.paper_id, 1, sp.added_at from subscriber_seed_papers sp
        where sp.paper_id is not null
          and not exists (select 1 from paper_ratings pr where pr.subscriber_id = sp.subscriber_id and pr.paper_id = sp.paper_id)
      ) r join subscribers s on s.id = r.subscriber_id
      where ${scope.eligibility}
    ) latest
    where recency <= ${RATINGS_PER_READER}
    group by subscriber_id
  `);
  const toRating = (signed: string): TRating => {
    const paperId = Number(signed);
    return paperId < 0 ? { paperId: -paperId, rating: -1 } : { paperId, rating: 1 };
  };
  return new Map(rows.map((row) => [row.subscriber_id, row.ratings.split(',').map(toRating)]));
}

/** Vectors for the period's papers and every rated one, once for the run. */
async function createPersonalRankerForRun({ db, ranker, ratings }: { db: TDb; ranker: TTopicRanker; ratings: Map<string, TRating[]> }): Promise<TPersonalRanker> {
  const paperIds = new Set(ranker.paperIds());
  for (const list of ratings.values()) for (const { paperId } of list) paperIds.add(paperId);
  const { vectors, dimensions } = await loadPaperVectors({ db, paperIds: [...paperIds] });
  return createPersonalRanker({ ranker, vectors, dimensions });
}

/**
 * Each reader takes the head of their profile's list, skipping papers they already received;
 * a reader with ratings takes the head of their personal ranking instead.
 */
function chooseDigests({
  audience,
  received,
  ranker,
  ratings,
  personal,
}: {
  audience: TAudienceRow[];
  received: Map<string, Set<number>>;
  ranker: TTopicRanker;
  ratings: Map<string, TRating[]>;
  personal?: TPersonalRanker;
}): TPlannedDigest[] {
  const digests: TPlannedDigest[] = [];
  for (const subscriber of audience) {
    const profile = { topicIds: subscriber.topic_ids ?? '', keywordIds: subscriber.keyword_ids ?? '' };
    const already = received.get(subscriber.id);
    const rated = ratings.get(subscriber.id);
    const digest =
      rated && personal
        ? personal({ ...profile, digestSize: subscriber.digest_size, ratings: rated, received: already })
        : { paperIds: headOf(ranker.rankedFor(profile), subscriber.digest_size, already), likedPaperIds: [] };
    if (digest.paperIds.length > 0) digests.push({ subscriberId: subscriber.id, ...digest });
  }
  return digests;
}

function headOf(list: { paperId: number }[], size: number, already: Set<number> | undefined): number[] {
  const paperIds: number[] = [];
  for (const { paperId } of list) {
    if (paperIds.length === size) break;
    if (!already?.has(paperId)) paperIds.push(paperId);
  }
  return paperIds;
}

/**
 * The run was created in this transaction, so no row can conflict: a plain INSERT, without the
 * cost of ON CONFLICT's speculative insertion.
 */
async function insertDeliveries({ db, runId, digests }: { db: TDb; runId: string; digests: TPlannedDigest[] }): Promise<number> {
  let planned = 0;
  for (let start = 0; start < digests.length; start += INSERT_CHUNK) {
    const chunk = digests.slice(start, start + INSERT_CHUNK);
    const { rows } = await db.execute<{ inserted: number }>(sql`
      with inserted as (
        insert into deliveries (run_id, subscriber_id, paper_ids, liked_paper_ids)
        select ${runId}::uuid, planned.subscriber_id, planned.paper_ids::bigint[], planned.liked_paper_ids::bigint[]
        from unnest(${sqlArray(
          chunk.map((digest) => digest.subscriberId),
          'uuid',
        )}, ${sqlArray(
          chunk.map((digest) => `{${digest.paperIds.join(',')}}`),
          'text',
        )}, ${sqlArray(
          chunk.map((digest) => `{${digest.likedPaperIds.join(',')}}`),
          'text',
        )}) as planned(subscriber_id, paper_ids, liked_paper_ids)
        returning 1
      )
      select count(*)::int as inserted from inserted
    `);
    planned += rows[0]?.inserted ?? 0;
  }
  return planned;
}

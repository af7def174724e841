import { sqlArray, type TDb } from '@paperboy/db';
import { sql, type SQL } from 'drizzle-orm';
import { createTopicDigests } from '../ranking/ranking.diversity.ts';
import { createPersonalRanker, type TPersonalRanker } from '../ranking/ranking.personal.ts';
import type { TRating } from '../ranking/ranking.profile.ts';
import { createTopicRanker, type TTopicRanker } from '../ranking/ranking.topics.ts';
import { loadPaperVectors } from '../ranking/ranking.vectors.ts';
import type { TFrequency } from './digests.periods.ts';
import { loadAudience, loadMatches, loadRatedTopics, loadRatings, loadReceived, planningScope, type TAudienceRow } from './digests.planning-loaders.ts';

// Delivery rows per INSERT: big enough to amortise the round trip, small enough that one
// statement's arrays stay a few MB.
const INSERT_CHUNK = 20_000;

export type TPlanResult = { eligible: number; planned: number };

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

/** Vectors for the period's papers and every rated one, and the rated papers' topic scores, once for the run. */
async function createPersonalRankerForRun({ db, ranker, ratings }: { db: TDb; ranker: TTopicRanker; ratings: Map<string, TRating[]> }): Promise<TPersonalRanker> {
  const ratedIds = new Set<number>();
  for (const list of ratings.values()) for (const { paperId } of list) ratedIds.add(paperId);
  const { vectors, dimensions } = await loadPaperVectors({ db, paperIds: [...new Set([...ranker.paperIds(), ...ratedIds])] });
  const ratedTopics = await loadRatedTopics({ db, paperIds: [...ratedIds] });
  return createPersonalRanker({ ranker, vectors, dimensions, ratedTopics });
}

/**
 * Each reader takes the head of their profile's list (with a share per topic when they follow
 * several), skipping papers they already received; a reader with ratings takes the head of their
 * personal ranking instead.
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
  const topicDigestOf = createTopicDigests(ranker);
  const digests: TPlannedDigest[] = [];
  for (const subscriber of audience) {
    const profile = { topicIds: subscriber.topic_ids ?? '', keywordIds: subscriber.keyword_ids ?? '' };
    const already = received.get(subscriber.id);
    const rated = ratings.get(subscriber.id);
    const digest =
      rated && personal
        ? personal({ ...profile, digestSize: subscriber.digest_size, ratings: rated, received: already })
        : { paperIds: topicDigestOf({ ...profile, digestSize: subscriber.digest_size, received: already }), likedPaperIds: [] };
    if (digest.paperIds.length > 0) digests.push({ subscriberId: subscriber.id, ...digest });
  }
  return digests;
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
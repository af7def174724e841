import { sqlArray, type TDb } from '@paperboy/db';
import { sql, type SQL } from 'drizzle-orm';
import { createTopicDigests, type TTopicDigests } from '../ranking/ranking.diversity.ts';
import { createPersonalRanker, type TPersonalRanker } from '../ranking/ranking.personal.ts';
import type { TRating } from '../ranking/ranking.profile.ts';
import { createTopicRanker, type TTopicRanker } from '../ranking/ranking.topics.ts';
import { loadPaperVectors } from '../ranking/ranking.vectors.ts';
import type { TFrequency } from './digests.periods.ts';
import { loadAudience, loadMatches, loadRatedTopics, loadRatings, loadReceived, planningScope, type TAudienceRow, type TScope } from './digests.planning-loaders.ts';

// Readers per INSERT, and per slice of ranking between two looks at the connection: big enough
// to amortise a round trip, small enough that one statement's arrays stay a few MB and that
// PostgreSQL stores a chunk while the next is ranked.
const READERS_PER_CHUNK = 10_000;

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
  readersPerChunk = READERS_PER_CHUNK,
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
  /** Readers ranked and stored per statement (a test plans a small audience in several chunks). */
  readersPerChunk?: number;
}): Promise<TPlanResult> {
  const scope = planningScope({ frequency, periodStart, periodEnd, now, onlySubscriberId, audienceFilter });
  // Statements one after another: `db` is usually the run's transaction, a single connection.
  const ranker = createTopicRanker(await loadMatches({ db, scope }));
  const audience = await loadAudience({ db, scope });
  const topicDigestOf = createTopicDigests(ranker);
  // PostgreSQL reads what the personal ranking needs while this process chooses each profile's
  // topic digest (two cores, both at work); readers who rated take theirs from the ratings later.
  // Both are waited for before either's failure is raised: no statement is left running.
  const [warming, loading] = await Promise.allSettled([
    inSlices(audience, readersPerChunk, (subscriber) => topicDigestOf(profileOf(subscriber))),
    loadPersonalInputs({ db, scope, ranker }),
  ]);
  if (warming.status === 'rejected') throw warming.reason;
  if (loading.status === 'rejected') throw loading.reason;
  const { received, ratings, personal } = loading.value;
  const chooseFor = createDigestChooser({ received, topicDigestOf, ratings, personal });
  const planned = await chooseAndInsert({ db, runId, audience, readersPerChunk, chooseFor });
  return { eligible: audience.length, planned };
}

const profileOf = (subscriber: TAudienceRow) => ({ topicIds: subscriber.topic_ids ?? '', keywordIds: subscriber.keyword_ids ?? '', digestSize: subscriber.digest_size });

/** The received papers, the ratings and the personal ranker of a run, in that order on the connection. */
async function loadPersonalInputs({ db, scope, ranker }: { db: TDb; scope: TScope; ranker: TTopicRanker }) {
  const received = await loadReceived({ db, scope });
  const ratings = await loadRatings({ db, scope });
  const personal = ratings.size === 0 ? undefined : await createPersonalRankerForRun({ db, ranker, ratings });
  return { received, ratings, personal };
}

/**
 * Calls `work` for each item, pausing between slices so that the database client can read a
 * statement's answer and send the next while this process computes.
 */
async function inSlices<T>(items: T[], size: number, work: (item: T) => void): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    await nextTurn();
    for (const item of items.slice(start, start + size)) work(item);
  }
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Ranks the audience a chunk at a time and sends each chunk's INSERT before ranking the next, so
 * that PostgreSQL stores one chunk while this process ranks the next (two cores, both at work).
 * One statement at a time on the connection: a chunk's INSERT is awaited before the next is
 * sent, and the pause after sending lets the client write it before the ranking takes the thread.
 */
async function chooseAndInsert({
  db,
  runId,
  audience,
  readersPerChunk,
  chooseFor,
}: {
  db: TDb;
  runId: string;
  audience: TAudienceRow[];
  readersPerChunk: number;
  chooseFor: (subscriber: TAudienceRow) => TPlannedDigest | undefined;
}): Promise<number> {
  let planned = 0;
  let storing: Promise<number> | undefined;
  try {
    for (let start = 0; start < audience.length; start += readersPerChunk) {
      const digests = audience.slice(start, start + readersPerChunk).flatMap((subscriber) => chooseFor(subscriber) ?? []);
      planned += (await storing) ?? 0;
      storing = digests.length > 0 ? insertDeliveries({ db, runId, digests }) : undefined;
      storing?.catch(() => undefined); // awaited on the next round; a failure must not go unhandled meanwhile
      await nextTurn();
    }
    return planned + ((await storing) ?? 0);
  } finally {
    // Never leave a statement behind on the transaction when the ranking throws.
    await storing?.catch(() => undefined);
  }
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
 * personal ranking instead. Undefined for a reader with nothing new to read.
 */
function createDigestChooser({
  received,
  topicDigestOf,
  ratings,
  personal,
}: {
  received: Map<string, Set<number>>;
  topicDigestOf: TTopicDigests;
  ratings: Map<string, TRating[]>;
  personal?: TPersonalRanker;
}): (subscriber: TAudienceRow) => TPlannedDigest | undefined {
  return (subscriber) => {
    const profile = profileOf(subscriber);
    const already = received.get(subscriber.id);
    const rated = ratings.get(subscriber.id);
    const digest =
      rated && personal ? personal({ ...profile, ratings: rated, received: already }) : { paperIds: topicDigestOf({ ...profile, received: already }), likedPaperIds: [] };
    return digest.paperIds.length > 0 ? { subscriberId: subscriber.id, ...digest } : undefined;
  };
}

/**
 * The run was created in this transaction, so no row can conflict: a plain INSERT, without the
 * cost of ON CONFLICT's speculative insertion.
 */
async function insertDeliveries({ db, runId, digests }: { db: TDb; runId: string; digests: TPlannedDigest[] }): Promise<number> {
  const { rows } = await db.execute<{ inserted: number }>(sql`
    with inserted as (
      insert into deliveries (run_id, subscriber_id, paper_ids, liked_paper_ids)
      select ${runId}::uuid, planned.subscriber_id, planned.paper_ids::bigint[], planned.liked_paper_ids::bigint[]
      from unnest(${sqlArray(
        digests.map((digest) => digest.subscriberId),
        'uuid',
      )}, ${sqlArray(
        digests.map((digest) => `{${digest.paperIds.join(',')}}`),
        'text',
      )}, ${sqlArray(
        digests.map((digest) => `{${digest.likedPaperIds.join(',')}}`),
        'text',
      )}) as planned(subscriber_id, paper_ids, liked_paper_ids)
      returning 1
    )
    select count(*)::int as inserted from inserted
  `);
  return rows[0]?.inserted ?? 0;
}

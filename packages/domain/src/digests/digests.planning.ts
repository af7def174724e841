import { sqlArray, type TDb } from '@paperboy/db';
import { sql, type SQL } from 'drizzle-orm';
import { rankOf } from '../matching/matching.candidates.ts';
import type { TFrequency } from './digests.periods.ts';

// How many ranked candidates each list keeps: per topic set, per keyword phrase and per
// profile. Digests hold at most 20 papers; the rest is room for papers a subscriber already
// received. A paper outside the top of every list a subscriber draws from is not a
// candidate for them (README, "Planning").
const CANDIDATES_PER_LIST = 30;
// Delivery rows per INSERT: big enough to amortise the round trip, small enough that one
// statement's arrays stay a few MB.
const INSERT_CHUNK = 20_000;

export type TPlanResult = { eligible: number; planned: number };

type TEntry = { paperId: number; score: number };
type TRanked = TEntry & { rank: number };

/**
 * Plans a run: one delivery per eligible subscriber (confirmed, not paused, of the run's
 * frequency, with at least one new matching paper) holding their top papers in rank order.
 *
 * The database does what it is fast at (reading the period's matches and the audience, and
 * inserting the rows in bulk); the ranking runs here, where merging a few short lists per
 * profile costs microseconds instead of a multi-million-row sort. Cost does not grow with
 * subscribers x papers: papers are ranked once per distinct set of topics and once per keyword
 * phrase, each distinct profile (topics and keywords) merges its few lists once, and a
 * subscriber takes the head of their profile's list, skipping papers they already received.
 * Only numbers move: the reasons are written at render time.
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
  const eligibility = onlySubscriberId
    ? sql`s.id = ${onlySubscriberId}::uuid`
    : sql`s.status = 'confirmed'
        and s.frequency = ${frequency}
        and (s.paused_until is null or s.paused_until <= ${now.toISOString()}::timestamptz)
        and not exists (select 1 from suppressions x where x.email_hash = s.email_hash)
        and ${audienceFilter ?? sql`true`}`;
  const inPeriod = sql`p.ingested_at >= ${periodStart.toISOString()}::timestamptz and p.ingested_at < ${periodEnd.toISOString()}::timestamptz`;

  // One after another: `db` is usually the run's transaction, a single connection.
  const { rows: topicMatches } = await db.execute<{ topic_id: number; paper_id: string; score: number; upvotes: number }>(sql`
    select pt.topic_id, pt.paper_id, pt.score, p.upvotes from paper_topics pt join papers p on p.id = pt.paper_id where ${inPeriod}
  `);
  const { rows: keywordMatches } = await db.execute<{ keyword_id: number; paper_id: string; score: number; upvotes: number }>(sql`
    select pk.keyword_id, pk.paper_id, pk.score, p.upvotes from paper_keywords pk join papers p on p.id = pk.paper_id where ${inPeriod}
  `);
  // The profile comes back as two short strings ("3,7,12"), so that grouping subscribers by
  // profile here is a string look-up, not an array parse per row.
  const { rows: audience } = await db.execute<{ id: string; digest_size: number; topic_ids: string | null; keyword_ids: string | null }>(sql`
    select s.id, s.digest_size, t.ids as topic_ids, k.ids as keyword_ids
    from subscribers s
    left join (
      select subscriber_id, string_agg(topic_id::text, ',' order by topic_id) as ids from subscriber_topics group by subscriber_id
    ) t on t.subscriber_id = s.id
    left join (
      select subscriber_id, string_agg(keyword_id::text, ',' order by keyword_id) as ids from subscriber_keywords group by subscriber_id
    ) k on k.subscriber_id = s.id
    where ${eligibility}
  `);
  // The (subscriber, paper) pairs of this period this audience already received in an earlier
  // run: usually none, at most the digests of a run already sent for the period.
  const { rows: received } = await db.execute<{ subscriber_id: string; paper_id: string }>(sql`
    select sp.subscriber_id, sp.paper_id
    from sent_papers sp join papers p on p.id = sp.paper_id join subscribers s on s.id = sp.subscriber_id
    where ${inPeriod} and ${eligibility}
  `);

  const upvotes = new Map<number, number>();
  const byTopic = groupEntries(topicMatches.map((row) => ({ listId: row.topic_id, paperId: Number(row.paper_id), score: row.score, upvotes: row.upvotes })), upvotes);
  const byKeyword = groupEntries(
    keywordMatches.map((row) => ({ listId: row.keyword_id, paperId: Number(row.paper_id), score: row.score, upvotes: row.upvotes })),
    upvotes,
  );
  const receivedBy = new Map<string, Set<number>>();
  for (const row of received) {
    const papers = receivedBy.get(row.subscriber_id) ?? new Set<number>();
    papers.add(Number(row.paper_id));
    receivedBy.set(row.subscriber_id, papers);
  }

  const rankList = (scores: Map<number, number>): TEntry[] => topRanked(scores, upvotes);
  const topicSetLists = memoize((key: string) => rankList(sumScores(idsOf(key).map((id) => byTopic.get(id) ?? []))));
  const keywordLists = memoize((key: string) => rankList(sumScores([byKeyword.get(Number(key)) ?? []])));
  const profileLists = memoize((key: string) => {
    const [topicKey = '', keywordKey = ''] = key.split('|');
    const keywordIds = idsOf(keywordKey);
    const topicList = topicKey ? topicSetLists(topicKey) : [];
    const merged = keywordIds.length === 0 ? topicList : rankList(sumScores([topicList, ...keywordIds.map((id) => keywordLists(String(id)))]));
    return merged.map((entry) => entry.paperId);
  });

  const subscriberIds: string[] = [];
  const paperLists: string[] = [];
  for (const subscriber of audience) {
    const list = profileLists(`${subscriber.topic_ids ?? ''}|${subscriber.keyword_ids ?? ''}`);
    const already = receivedBy.get(subscriber.id);
    const chosen = (already ? list.filter((paperId) => !already.has(paperId)) : list).slice(0, subscriber.digest_size);
    if (chosen.length === 0) continue;
    subscriberIds.push(subscriber.id);
    paperLists.push(`{${chosen.join(',')}}`);
  }

  // The run was created in this transaction, so no row can conflict: a plain INSERT, without
  // the cost of ON CONFLICT's speculative insertion.
  let planned = 0;
  for (let start = 0; start < subscriberIds.length; start += INSERT_CHUNK) {
    const { rows } = await db.execute<{ inserted: number }>(sql`
    with inserted as (
      insert into deliveries (run_id, subscriber_id, paper_ids)
      select ${runId}::uuid, planned.subscriber_id, planned.paper_ids::bigint[]
      from unnest(${sqlArray(subscriberIds.slice(start, start + INSERT_CHUNK), 'uuid')}, ${sqlArray(paperLists.slice(start, start + INSERT_CHUNK), 'text')})
        as planned(subscriber_id, paper_ids)
      returning 1
    )
    select count(*)::int as inserted from inserted
  `);
    planned += rows[0]?.inserted ?? 0;
  }
  return { eligible: audience.length, planned };
}

function groupEntries(rows: { listId: number; paperId: number; score: number; upvotes: number }[], upvotes: Map<number, number>) {
  const lists = new Map<number, TEntry[]>();
  for (const { listId, paperId, score, upvotes: count } of rows) {
    upvotes.set(paperId, count);
    const list = lists.get(listId) ?? [];
    list.push({ paperId, score });
    lists.set(listId, list);
  }
  return lists;
}

/** A paper on several lists adds up its scores. */
function sumScores(lists: TEntry[][]): Map<number, number> {
  const sums = new Map<number, number>();
  for (const list of lists) for (const { paperId, score } of list) sums.set(paperId, (sums.get(paperId) ?? 0) + score);
  return sums;
}

/**
 * The best CANDIDATES_PER_LIST by rank, ties to the newer (higher) paper id, as the SQL ranking
 * orders them. A bounded insertion, not a sort: lists run to hundreds of papers, and only the
 * head is kept.
 */
function topRanked(scores: Map<number, number>, upvotes: Map<number, number>): TEntry[] {
  const top: TRanked[] = [];
  const isAbove = (rank: number, paperId: number, other: TRanked) => rank > other.rank || (rank === other.rank && paperId > other.paperId);
  for (const [paperId, score] of scores) {
    const rank = rankOf(score, upvotes.get(paperId) ?? 0);
    const last = top[CANDIDATES_PER_LIST - 1];
    if (last && !isAbove(rank, paperId, last)) continue;
    let index = last ? CANDIDATES_PER_LIST - 1 : top.length;
    for (let above = top[index - 1]; above && isAbove(rank, paperId, above); above = top[index - 1]) {
      top[index] = above;
      index -= 1;
    }
    top[index] = { paperId, score, rank };
  }
  return top;
}

function idsOf(key: string): number[] {
  return key ? key.split(',').map(Number) : [];
}

function memoize<T>(compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(key);
      cache.set(key, value);
    }
    return value;
  };
}

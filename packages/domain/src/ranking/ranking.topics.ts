import { rankOf, trendingOf } from './ranking.formula.ts';

// How many ranked candidates each list keeps: per topic set, per keyword phrase and per
// profile. Digests hold at most 20 papers; the rest is room for papers a subscriber already
// received. A paper outside the top of every list a subscriber draws from is not a
// candidate for them (README, "Ranking").
export const CANDIDATES_PER_LIST = 30;

export type TMatchRow = { listId: number; paperId: number; score: number; upvotes: number };
export type TRankedPaper = { paperId: number; score: number; rank: number };

/** A paper on a list, by its slot (below), and its score there. */
type TEntry = { slot: number; score: number };
type TRanked = TRankedPaper & TEntry;

/**
 * The topic-and-keyword ranking of every profile (a set of topics and a set of keywords) over
 * one period's matches. Papers are ranked once per distinct set of topics and once per keyword
 * phrase; a profile merges its few lists when asked. `limit` is how many a profile's list
 * keeps (a personal ranking, or shares per topic, choose from a longer list than the head).
 */
export function createTopicRanker({ topicMatches, keywordMatches }: { topicMatches: TMatchRow[]; keywordMatches: TMatchRow[] }) {
  const papers = createPaperSlots([...topicMatches, ...keywordMatches]);
  const byTopic = groupByList(topicMatches, papers.slotOf);
  const byKeyword = groupByList(keywordMatches, papers.slotOf);
  const topicsByPaper = new Map<number, TMatchRow[]>();
  for (const row of topicMatches) topicsByPaper.set(row.paperId, [...(topicsByPaper.get(row.paperId) ?? []), row]);

  const topicSetLists = memoize((key: string, limit: number) => papers.topRanked(idsOf(key).map((id) => byTopic.get(id) ?? []), limit));
  const keywordLists = memoize((key: string, limit: number) => papers.topRanked([byKeyword.get(Number(key)) ?? []], limit));
  // Merged per reader, not kept: most readers with keywords have a profile of their own.
  const profileList = (topicKey: string, keywordKey: string, limit: number) => {
    const topicList = topicKey ? topicSetLists(topicKey, limit) : [];
    if (!keywordKey) return topicList;
    return papers.topRanked([topicList, ...idsOf(keywordKey).map((id) => keywordLists(String(id), limit))], limit);
  };

  return {
    /** The profile's best papers, best first. `topicIds` and `keywordIds` are sorted, comma-separated ids. */
    rankedFor: ({ topicIds, keywordIds, limit = CANDIDATES_PER_LIST }: { topicIds: string; keywordIds: string; limit?: number }): TRankedPaper[] =>
      profileList(topicIds, keywordIds, limit),
    /** The topics a paper matched (`listId` is the topic id), for the share per topic. */
    topicsOf: (paperId: number): TMatchRow[] => topicsByPaper.get(paperId) ?? [],
    paperIds: (): number[] => [...papers.ids],
  };
}

export type TTopicRanker = ReturnType<typeof createTopicRanker>;

/**
 * Every paper of the period gets a slot (0, 1, 2, …), so that a profile's lists add up in one
 * array shared by every profile of the run, not in a Map per profile: planning merges lists for
 * most of its readers.
 */
function createPaperSlots(rows: TMatchRow[]) {
  const slotOf = new Map<number, number>();
  const ids: number[] = [];
  const upvotes: number[] = [];
  for (const row of rows) {
    if (!slotOf.has(row.paperId)) {
      slotOf.set(row.paperId, ids.length);
      ids.push(row.paperId);
    }
    upvotes[slotOf.get(row.paperId)!] = row.upvotes;
  }
  const trending = Float64Array.from(upvotes, (count) => trendingOf(count));
  const merge = createScoreMerger(ids.length);
  /** The best `limit` of the lists merged, by rank. */
  const topRanked = (lists: TEntry[][], limit: number): TRanked[] => headByRank({ merged: merge(lists), ids, trending, limit });
  return { ids, slotOf: (paperId: number) => slotOf.get(paperId)!, topRanked };
}

/**
 * Adds up lists by slot (a paper on several adds up its scores) into one array, reused from merge
 * to merge: a slot's sum counts while its stamp is the current merge's, so nothing is cleared.
 * Returns the slots met, in the order first met.
 */
function createScoreMerger(slotCount: number) {
  const sums = new Float64Array(slotCount);
  const stamps = new Uint32Array(slotCount);
  const touched = new Int32Array(slotCount);
  let stamp = 0;
  return (lists: TEntry[][]) => {
    if (stamp === 0xffff_ffff) {
      stamps.fill(0);
      stamp = 0;
    }
    stamp += 1;
    let count = 0;
    for (const list of lists) {
      for (const { slot, score } of list) {
        if (stamps[slot] !== stamp) {
          stamps[slot] = stamp;
          sums[slot] = 0;
          touched[count] = slot;
          count += 1;
        }
        sums[slot] = sums[slot]! + score;
      }
    }
    return { sums, touched, count };
  };
}

/**
 * The best `limit` merged papers by rank, ties to the newer (higher) paper id. A bounded
 * insertion, not a sort: lists run to hundreds of papers, and only the head is kept.
 */
function headByRank({
  merged: { sums, touched, count },
  ids,
  trending,
  limit,
}: {
  merged: { sums: Float64Array; touched: Int32Array; count: number };
  ids: number[];
  trending: Float64Array;
  limit: number;
}): TRanked[] {
  const top: TRanked[] = [];
  const isAbove = (rank: number, paperId: number, other: TRanked) => rank > other.rank || (rank === other.rank && paperId > other.paperId);
  for (let k = 0; k < count; k += 1) {
    const slot = touched[k]!;
    const paperId = ids[slot]!;
    const score = sums[slot]!;
    const rank = rankOf(score, trending[slot]!);
    const last = top[limit - 1];
    if (last && !isAbove(rank, paperId, last)) continue;
    let index = last ? limit - 1 : top.length;
    for (let above = top[index - 1]; above && isAbove(rank, paperId, above); above = top[index - 1]) {
      top[index] = above;
      index -= 1;
    }
    top[index] = { paperId, slot, score, rank };
  }
  return top;
}

function groupByList(rows: TMatchRow[], slotOf: (paperId: number) => number): Map<number, TEntry[]> {
  const lists = new Map<number, TEntry[]>();
  for (const row of rows) {
    const list = lists.get(row.listId) ?? [];
    list.push({ slot: slotOf(row.paperId), score: row.score });
    lists.set(row.listId, list);
  }
  return lists;
}

/** The ids of a profile key ("3,7,12"). */
export function idsOf(key: string): number[] {
  return key ? key.split(',').map(Number) : [];
}

function memoize<T>(compute: (key: string, limit: number) => T): (key: string, limit: number) => T {
  const cache = new Map<string, T>();
  return (key, limit) => {
    const cacheKey = `${key}#${limit}`;
    let value = cache.get(cacheKey);
    if (value === undefined) {
      value = compute(key, limit);
      cache.set(cacheKey, value);
    }
    return value;
  };
}

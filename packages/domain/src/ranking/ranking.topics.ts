import { rankOf } from './ranking.formula.ts';

// How many ranked candidates each list keeps: per topic set, per keyword phrase and per
// profile. Digests hold at most 20 papers; the rest is room for papers a subscriber already
// received. A paper outside the top of every list a subscriber draws from is not a
// candidate for them (README, "Ranking").
export const CANDIDATES_PER_LIST = 30;

export type TMatchRow = { listId: number; paperId: number; score: number; upvotes: number };
export type TRankedPaper = { paperId: number; score: number; rank: number };

/**
 * The topic-and-keyword ranking of every profile (a set of topics and a set of keywords) over
 * one period's matches. Papers are ranked once per distinct set of topics and once per keyword
 * phrase; a profile merges its few lists when asked. `limit` is how many a profile's list
 * keeps (a personal ranking, or shares per topic, choose from a longer list than the head).
 */
export function createTopicRanker({ topicMatches, keywordMatches }: { topicMatches: TMatchRow[]; keywordMatches: TMatchRow[] }) {
  const upvotes = new Map<number, number>();
  const byTopic = groupByList(topicMatches, upvotes);
  const topicsByPaper = new Map<number, TMatchRow[]>();
  for (const row of topicMatches) topicsByPaper.set(row.paperId, [...(topicsByPaper.get(row.paperId) ?? []), row]);
  const byKeyword = groupByList(keywordMatches, upvotes);

  const rankList = (scores: Map<number, number>, limit: number) => topRanked(scores, upvotes, limit);
  const topicSetLists = memoize((key: string, limit: number) => rankList(sumScores(idsOf(key).map((id) => byTopic.get(id) ?? [])), limit));
  const keywordLists = memoize((key: string, limit: number) => rankList(sumScores([byKeyword.get(Number(key)) ?? []]), limit));
  // Merged per reader, not kept: most readers with keywords have a profile of their own.
  const profileList = (topicKey: string, keywordKey: string, limit: number) => {
    const topicList = topicKey ? topicSetLists(topicKey, limit) : [];
    if (!keywordKey) return topicList;
    return rankList(sumScores([topicList, ...idsOf(keywordKey).map((id) => keywordLists(String(id), limit))]), limit);
  };

  return {
    /** The profile's best papers, best first. `topicIds` and `keywordIds` are sorted, comma-separated ids. */
    rankedFor: ({ topicIds, keywordIds, limit = CANDIDATES_PER_LIST }: { topicIds: string; keywordIds: string; limit?: number }): TRankedPaper[] =>
      profileList(topicIds, keywordIds, limit),
    /** The topics a paper matched (`listId` is the topic id), for the share per topic. */
    topicsOf: (paperId: number): TMatchRow[] => topicsByPaper.get(paperId) ?? [],
    paperIds: (): number[] => [...upvotes.keys()],
  };
}

export type TTopicRanker = ReturnType<typeof createTopicRanker>;

function groupByList(rows: TMatchRow[], upvotes: Map<number, number>): Map<number, TMatchRow[]> {
  const lists = new Map<number, TMatchRow[]>();
  for (const row of rows) {
    upvotes.set(row.paperId, row.upvotes);
    const list = lists.get(row.listId) ?? [];
    list.push(row);
    lists.set(row.listId, list);
  }
  return lists;
}

/** A paper on several lists adds up its scores. */
function sumScores(lists: { paperId: number; score: number }[][]): Map<number, number> {
  const sums = new Map<number, number>();
  for (const list of lists) for (const { paperId, score } of list) sums.set(paperId, (sums.get(paperId) ?? 0) + score);
  return sums;
}

/**
 * The best `limit` by rank, ties to the newer (higher) paper id. A bounded insertion, not a
 * sort: lists run to hundreds of papers, and only the head is kept.
 */
function topRanked(scores: Map<number, number>, upvotes: Map<number, number>, limit: number): TRankedPaper[] {
  const top: TRankedPaper[] = [];
  const isAbove = (rank: number, paperId: number, other: TRankedPaper) => rank > other.rank || (rank === other.rank && paperId > other.paperId);
  for (const [paperId, score] of scores) {
    const rank = rankOf(score, upvotes.get(paperId) ?? 0);
    const last = top[limit - 1];
    if (last && !isAbove(rank, paperId, last)) continue;
    let index = last ? limit - 1 : top.length;
    for (let above = top[index - 1]; above && isAbove(rank, paperId, above); above = top[index - 1]) {
      top[index] = above;
      index -= 1;
    }
    top[index] = { paperId, score, rank };
  }
  return top;
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

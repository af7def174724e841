import type { TRating } from './ranking.profile.ts';
import { CANDIDATES_PER_LIST, idsOf, type TTopicRanker } from './ranking.topics.ts';

/**
 * A digest for a reader with several topics is not all one topic (README, "Ranking", "Several
 * topics"). Each of the reader's topics has a share of the digest; papers are taken greedily by
 * score, and each share already taken from the topic a paper matches best costs the paper
 * `fairShareCost` of score. Readers who rated papers get shares from their ratings
 * (`topicSharesOf`); readers who did not get even shares.
 */
const DIVERSITY = {
  fairShareCost: 0.05,
  /** Only the best three digests' worth of candidates compete for a digest's places. */
  candidateDigests: 3,
} as const;

/** How many of a reader's best papers compete for the places of a digest of this size. */
const candidatesFor = (digestSize: number) => digestSize * DIVERSITY.candidateDigests;

/** Per rated paper, the topics it matched with their scores (`paper_topics`). */
export type TRatedTopics = Map<number, TTopicMatch[]>;
type TTopicMatch = { listId: number; score: number };

/**
 * For a reader with several topics, the topic each paper matches best among theirs (-1 when only
 * a keyword brought it); undefined for a reader with one topic, who needs no share.
 */
export function groupsOf(topicIds: number[], matchesOf: (paperId: number) => TTopicMatch[]): ((paperId: number) => number) | undefined {
  if (topicIds.length < 2) return undefined;
  const own = new Set(topicIds);
  return (paperId) => bestTopicOf(matchesOf(paperId), own);
}

/**
 * Each of the reader's topics' share of the digest, from how they rated the papers it brought:
 * (ups + 1) / (ratings + 2), normalised over their topics. A rating counts for the topic the
 * rated paper matches best of all, and only while the reader follows it. A topic whose papers
 * they keep rating down shrinks; topics they never rated share evenly. Papers only a keyword
 * brought get 1 / topics.
 */
export function topicSharesOf({ ratings, topicIds, ratedTopics }: { ratings: TRating[]; topicIds: number[]; ratedTopics: TRatedTopics }): (group: number) => number {
  const counts = new Map(topicIds.map((topicId) => [topicId, { ups: 0, all: 0 }]));
  for (const { paperId, rating } of ratings) {
    const count = counts.get(bestTopicOf(ratedTopics.get(paperId) ?? []));
    if (!count) continue;
    count.all += 1;
    if (rating > 0) count.ups += 1;
  }
  const weights = new Map([...counts].map(([topicId, { ups, all }]) => [topicId, (ups + 1) / (all + 2)]));
  const total = [...weights.values()].reduce((sum, weight) => sum + weight, 0);
  return (group) => (weights.has(group) ? weights.get(group)! / total : evenShareOf(topicIds));
}

function evenShareOf(topicIds: number[]): number {
  return 1 / Math.max(1, topicIds.length);
}

/**
 * The topic a paper matches best (among `among`, when given), ties to the lower topic id whatever
 * order the matches were read in; -1 when none.
 */
function bestTopicOf(matches: TTopicMatch[], among?: Set<number>): number {
  let best = -1;
  let bestScore = -Infinity;
  for (const match of matches) {
    if (among && !among.has(match.listId)) continue;
    if (match.score > bestScore || (match.score === bestScore && match.listId < best)) {
      best = match.listId;
      bestScore = match.score;
    }
  }
  return best;
}

/**
 * Greedy by score, each share of the digest (digest size × the topic's share) already taken from
 * a paper's topic costing it `fairShareCost`. Only the best `candidatesFor(digestSize)` compete.
 * `scored` must be best first by `scoreOf`, ties broken.
 *
 * Every candidate of one topic pays the same cost, so only the best one not yet taken of each
 * topic can be next (the first in `scored`): each step compares a reader's few topics, not every
 * candidate.
 */
export function takeWithTopicShares<T extends { paperId: number }>(
  scored: T[],
  { digestSize, scoreOf, groupOf, shareOf }: { digestSize: number; scoreOf: (paper: T) => number; groupOf?: (paperId: number) => number; shareOf: (group: number) => number },
): T[] {
  if (!groupOf) return scored.slice(0, digestSize);
  const candidates = scored.slice(0, candidatesFor(digestSize));
  // Per topic, the positions of its candidates in `candidates`, best first.
  const positionsOf = new Map<number, number[]>();
  candidates.forEach((paper, position) => {
    const group = groupOf(paper.paperId);
    const positions = positionsOf.get(group);
    if (positions) positions.push(position);
    else positionsOf.set(group, [position]);
  });
  const topics = [...positionsOf].map(([group, positions]) => ({ positions, next: 0, places: digestSize * shareOf(group) }));
  const chosen: T[] = [];
  while (chosen.length < Math.min(digestSize, candidates.length)) {
    let best: (typeof topics)[number] | undefined;
    let bestValue = -Infinity;
    for (const topic of topics) {
      const position = topic.positions[topic.next];
      if (position === undefined) continue;
      // topic.next is how many of the topic's papers are taken.
      const value = scoreOf(candidates[position]!) - (DIVERSITY.fairShareCost * topic.next) / topic.places;
      // Equal values: the better-ranked paper.
      if (!best || value > bestValue || (value === bestValue && position < best.positions[best.next]!)) {
        best = topic;
        bestValue = value;
      }
    }
    chosen.push(candidates[best!.positions[best!.next]!]!);
    best!.next += 1;
  }
  return chosen;
}

/**
 * The digests of readers who have not rated anything: their topic ranking, with an even share
 * per topic for a reader with several. Readers with one profile and digest size get the same
 * digest, so it is chosen once per run (not for a reader who already received papers this period).
 */
export function createTopicDigests(ranker: TTopicRanker) {
  const chosenByProfile = new Map<string, number[]>();
  const choose = ({ topicIds, keywordIds, digestSize, received }: TDigestRequest): number[] => {
    const ownTopics = idsOf(topicIds);
    const groupOf = groupsOf(ownTopics, ranker.topicsOf);
    const ranked = ranker.rankedFor({ topicIds, keywordIds, limit: groupOf ? Math.max(candidatesFor(digestSize), CANDIDATES_PER_LIST) : CANDIDATES_PER_LIST });
    const fresh = received ? ranked.filter((paper) => !received.has(paper.paperId)) : ranked;
    return takeWithTopicShares(fresh, { digestSize, scoreOf: (paper) => paper.rank, groupOf, shareOf: () => evenShareOf(ownTopics) }).map((paper) => paper.paperId);
  };
  return (request: TDigestRequest): number[] => {
    if (request.received && request.received.size > 0) return choose(request);
    const key = `${request.topicIds}|${request.keywordIds}|${request.digestSize}`;
    let paperIds = chosenByProfile.get(key);
    if (paperIds === undefined) {
      paperIds = choose(request);
      chosenByProfile.set(key, paperIds);
    }
    return paperIds;
  };
}

type TDigestRequest = { topicIds: string; keywordIds: string; digestSize: number; received?: Set<number> };
export type TTopicDigests = ReturnType<typeof createTopicDigests>;

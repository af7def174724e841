import { dotDense, strongestTerms, type TSparseVector } from '../matching/matching.features.ts';
import { createProfileBuilder, type TRating, type TReaderProfile } from './ranking.profile.ts';
import type { TRankedPaper, TTopicRanker } from './ranking.topics.ts';

/**
 * The personal ranking of a reader who rated papers (README, "Ranking"):
 *
 *   c        = trust × n / (n + 5)               n = the reader's ratings, seed papers included
 *   personal = (1 − c) × rank + c × affinity     affinity and trust: ranking.profile.ts
 *
 * The candidates are the best `poolSize` papers of the reader's topic ranking: the ratings
 * re-order what the topics let in, so a few ratings cannot fill a digest with off-topic papers.
 * Papers rated down are never candidates. A reader with several topics gets a share per topic:
 * each fair share (digest size / topics) already taken from a paper's best-matching topic costs
 * it `fairShareCost`.
 */
const PERSONAL = {
  confidenceRatings: 5,
  poolSize: 60,
  fairShareCost: 0.05,
  /** Cosine to the papers rated up from which the "why" line names the one that brought a paper. */
  likedReasonSimilarity: 0.1,
  /** Papers enter the profile, meet it, and are compared for the "why" line by their strongest terms only (most of a vector's weight, a third of its cost). */
  strongTerms: 64,
  /** The "why" look-up searches the reader's latest likes, each by its very strongest terms. */
  reasonLikes: 10,
  reasonTerms: 16,
} as const;

/** Per rated paper, the topics it matched with their scores (`paper_topics`). */
export type TRatedTopics = Map<number, TTopicMatch[]>;
type TTopicMatch = { listId: number; score: number };

export type TPersonalDigest = {
  paperIds: number[];
  /** Per planned paper, the paper the reader rated up that it most resembles; 0 when the topics explain it. */
  likedPaperIds: number[];
};

type TScored = { paperId: number; personal: number; cosine: number };

/**
 * Ranks readers' candidates with their ratings. Paper vectors are computed once per run; each
 * reader's profile is summed into one dense scratch array, read by every candidate, then cleared.
 */
export function createPersonalRanker({
  ranker,
  vectors,
  dimensions,
  ratedTopics,
}: {
  ranker: TTopicRanker;
  vectors: Map<number, TSparseVector>;
  dimensions: number;
  ratedTopics: TRatedTopics;
}) {
  const buildProfile = createProfileBuilder(dimensions);
  const scratch = new Float64Array(dimensions);
  const strongTermsOf = memoizeById((paperId) => strongestTerms(vectors.get(paperId) ?? EMPTY, PERSONAL.strongTerms));
  const reasonTermsOf = memoizeById((paperId) => strongestTerms(strongTermsOf(paperId), PERSONAL.reasonTerms));

  return ({
    topicIds,
    keywordIds,
    digestSize,
    ratings,
    received,
  }: {
    topicIds: string;
    keywordIds: string;
    digestSize: number;
    ratings: TRating[];
    received?: Set<number>;
  }): TPersonalDigest => {
    const ownTopics = idsOf(topicIds);
    const profile = buildProfile({ ratings, vectorOf: strongTermsOf });
    const rated = new Set(ratings.map((rating) => rating.paperId));
    const pool = ranker
      .rankedFor({ topicIds, keywordIds, limit: PERSONAL.poolSize })
      .filter((paper) => !rated.has(paper.paperId) && !received?.has(paper.paperId));
    const scored = scoreCandidates({ pool, profile, strongTermsOf, ratingCount: ratings.length });
    const isTrusted = profile.trust > 0;
    profile.clear();
    const groupOf = groupsOf(ownTopics, (paperId) => ranker.topicsOf(paperId));
    const chosen = takeWithTopicShares(scored, { digestSize, groupOf, shareOf: groupOf ? topicSharesOf({ ratings, topicIds: ownTopics, ratedTopics }) : () => 1 });
    // Only a profile the ranking trusted brought anything; otherwise the topics explain every paper.
    const brought = chosen.map((paper) => isTrusted && paper.cosine >= PERSONAL.likedReasonSimilarity);
    const nearestLiked = brought.some(Boolean) ? createNearestLiked({ ratings, strongTermsOf, reasonTermsOf, scratch }) : undefined;
    return {
      paperIds: chosen.map((paper) => paper.paperId),
      likedPaperIds: chosen.map((paper, index) => (brought[index] && nearestLiked ? nearestLiked(paper.paperId) : 0)),
    };
  };
}

export type TPersonalRanker = ReturnType<typeof createPersonalRanker>;

const EMPTY: TSparseVector = { indices: [], values: [] };

function scoreCandidates({
  pool,
  profile,
  strongTermsOf,
  ratingCount,
}: {
  pool: TRankedPaper[];
  profile: TReaderProfile;
  strongTermsOf: (paperId: number) => TSparseVector;
  ratingCount: number;
}): TScored[] {
  const confidence = (profile.trust * ratingCount) / (ratingCount + PERSONAL.confidenceRatings);
  return pool.map((paper) => {
    const vector = strongTermsOf(paper.paperId);
    const cosine = profile.likedCosine(vector);
    return { paperId: paper.paperId, cosine, personal: (1 - confidence) * paper.rank + confidence * profile.affinity(vector, cosine) };
  });
}

/**
 * For a reader with several topics, the topic each paper matches best among theirs (-1 when only
 * a keyword brought it); undefined for a reader with one topic, who needs no share.
 */
function groupsOf(topicIds: number[], matchesOf: (paperId: number) => TTopicMatch[]): ((paperId: number) => number) | undefined {
  if (topicIds.length < 2) return undefined;
  const own = new Set(topicIds);
  return (paperId) => {
    let group = -1;
    let bestScore = -Infinity;
    for (const match of matchesOf(paperId)) {
      if (own.has(match.listId) && match.score > bestScore) [group, bestScore] = [match.listId, match.score];
    }
    return group;
  };
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
  return (group) => (weights.has(group) ? weights.get(group)! / total : 1 / Math.max(1, topicIds.length));
}

function bestTopicOf(matches: TTopicMatch[]): number {
  let best = -1;
  let bestScore = -Infinity;
  for (const match of matches) if (match.score > bestScore) [best, bestScore] = [match.listId, match.score];
  return best;
}

/**
 * Greedy by personal score, each share of the digest (digest size × the topic's share) already
 * taken from a paper's topic costing it `fairShareCost`. Only the best three digests' worth are considered.
 */
export function takeWithTopicShares<T extends { paperId: number; personal: number }>(
  scored: T[],
  { digestSize, groupOf, shareOf }: { digestSize: number; groupOf?: (paperId: number) => number; shareOf: (group: number) => number },
): T[] {
  const sorted = [...scored].sort((a, b) => b.personal - a.personal || b.paperId - a.paperId);
  if (!groupOf) return sorted.slice(0, digestSize);
  const remaining = sorted.slice(0, digestSize * 3).map((paper) => ({ paper, group: groupOf(paper.paperId) }));
  const taken = new Map<number, number>();
  const chosen: T[] = [];
  while (chosen.length < digestSize && remaining.length > 0) {
    let bestIndex = 0;
    let bestValue = -Infinity;
    remaining.forEach(({ paper, group }, index) => {
      const value = paper.personal - (PERSONAL.fairShareCost * (taken.get(group) ?? 0)) / (digestSize * shareOf(group));
      if (value > bestValue) [bestIndex, bestValue] = [index, value];
    });
    const [{ paper, group }] = remaining.splice(bestIndex, 1) as [{ paper: T; group: number }];
    chosen.push(paper);
    taken.set(group, (taken.get(group) ?? 0) + 1);
  }
  return chosen;
}

/**
 * For one reader: the paper they rated up (among their latest likes) that a paper is most like,
 * by the dot product of their strongest terms; 0 when none shares a term. The paper is spread
 * into a dense scratch array that each like reads, and cleared after: nothing is allocated.
 */
function createNearestLiked({
  ratings,
  strongTermsOf,
  reasonTermsOf,
  scratch,
}: {
  ratings: TRating[];
  strongTermsOf: (paperId: number) => TSparseVector;
  reasonTermsOf: (paperId: number) => TSparseVector;
  scratch: Float64Array;
}): (paperId: number) => number {
  const liked = ratings.filter((rating) => rating.rating > 0).slice(0, PERSONAL.reasonLikes);
  return (paperId) => {
    const paper = strongTermsOf(paperId);
    for (let k = 0; k < paper.indices.length; k += 1) scratch[paper.indices[k]!] = paper.values[k]!;
    let nearest = 0;
    let best = 0;
    for (const { paperId: likedId } of liked) {
      const similarity = dotDense(reasonTermsOf(likedId), scratch);
      if (similarity > best) [nearest, best] = [likedId, similarity];
    }
    for (const index of paper.indices) scratch[index] = 0;
    return nearest;
  };
}

function memoizeById<T>(compute: (paperId: number) => T): (paperId: number) => T {
  const cache = new Map<number, T>();
  return (paperId) => {
    let value = cache.get(paperId);
    if (value === undefined) {
      value = compute(paperId);
      cache.set(paperId, value);
    }
    return value;
  };
}

function idsOf(key: string): number[] {
  return key ? key.split(',').map(Number) : [];
}

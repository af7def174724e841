import { dotDense, type TSparseVector } from '../matching/matching.features.ts';
import type { TRankedPaper, TTopicRanker } from './ranking.topics.ts';

/**
 * The personal ranking of a reader who rated papers (README, "Ranking"):
 *
 *   profile  = Σ vectors of papers rated up − 0.5 × Σ vectors of papers rated down
 *   affinity = clamp(cos(profile, paper) / 0.25, −1, 1)
 *   c        = n / (n + 5)                       n = the reader's ratings, seed papers included
 *   personal = (1 − c) × rank + c × affinity
 *
 * Sums, not means: a reader who liked one paper among ten disliked ones mostly taught what they
 * do not want (with means, that one like, perhaps a slip, would steer everything).
 * The candidates are the best `poolSize` papers of the reader's topic ranking: the ratings
 * re-order what the topics let in, so a few ratings cannot fill a digest with off-topic papers.
 * Papers rated down are never candidates. A reader with several topics gets a share per topic:
 * each fair share (digest size / topics) already taken from a paper's best-matching topic costs
 * it `fairShareCost`.
 */
const PERSONAL = {
  dislikedWeight: 0.5,
  confidenceRatings: 5,
  /**
   * The cosine that counts as full affinity. A fixed scale, not the best candidate's cosine: a
   * profile built from few or mixed ratings meets every paper weakly and so moves the ranking
   * little, where dividing by the best would blow its noise up to full weight.
   */
  affinityScale: 0.25,
  poolSize: 60,
  fairShareCost: 0.05,
  /** Cosine to the profile from which the "why" line names the paper rated up that brought it. */
  likedReasonSimilarity: 0.1,
  /** Papers enter the profile, meet it, and are compared for the "why" line by their strongest terms only (most of a vector's weight, a third of its cost). */
  strongTerms: 64,
  /** The "why" look-up searches the reader's latest likes, each by its very strongest terms. */
  reasonLikes: 10,
  reasonTerms: 16,
} as const;

export type TRating = { paperId: number; rating: 1 | -1 };

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
export function createPersonalRanker({ ranker, vectors, dimensions }: { ranker: TTopicRanker; vectors: Map<number, TSparseVector>; dimensions: number }) {
  const profile = new Float64Array(dimensions);
  const scratch = new Float64Array(dimensions);
  const strongTermsOf = memoizeById((paperId) => strongestTerms(vectors.get(paperId), PERSONAL.strongTerms));
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
    const touched = addProfile(profile, ratings, strongTermsOf);
    const rated = new Set(ratings.map((rating) => rating.paperId));
    const pool = ranker
      .rankedFor({ topicIds, keywordIds, limit: PERSONAL.poolSize })
      .filter((paper) => !rated.has(paper.paperId) && !received?.has(paper.paperId));
    const scored = scoreCandidates({ pool, profile, touched, strongTermsOf, ratingCount: ratings.length });
    for (const index of touched) profile[index] = 0;
    const ownTopics = idsOf(topicIds);
    const chosen = takeWithTopicShares(scored, { digestSize, topicCount: ownTopics.length, groupOf: groupsOf(ownTopics, ranker) });
    const brought = chosen.map((paper) => paper.cosine >= PERSONAL.likedReasonSimilarity);
    const nearestLiked = brought.some(Boolean) ? createNearestLiked({ ratings, strongTermsOf, reasonTermsOf, scratch }) : undefined;
    return {
      paperIds: chosen.map((paper) => paper.paperId),
      likedPaperIds: chosen.map((paper, index) => (brought[index] && nearestLiked ? nearestLiked(paper.paperId) : 0)),
    };
  };
}

export type TPersonalRanker = ReturnType<typeof createPersonalRanker>;

/** Sums the Rocchio profile into `profile`; returns the indices it touched, to clear afterwards. */
function addProfile(profile: Float64Array, ratings: TRating[], strongTermsOf: (paperId: number) => TSparseVector): number[] {
  const touched: number[] = [];
  for (const { paperId, rating } of ratings) {
    const vector = strongTermsOf(paperId);
    const weight = rating > 0 ? 1 : -PERSONAL.dislikedWeight;
    for (let k = 0; k < vector.indices.length; k += 1) {
      const index = vector.indices[k]!;
      if (profile[index] === 0) touched.push(index);
      profile[index] = profile[index]! + weight * vector.values[k]!;
    }
  }
  return touched;
}

function scoreCandidates({
  pool,
  profile,
  touched,
  strongTermsOf,
  ratingCount,
}: {
  pool: TRankedPaper[];
  profile: Float64Array;
  touched: number[];
  strongTermsOf: (paperId: number) => TSparseVector;
  ratingCount: number;
}): TScored[] {
  let length = 0;
  for (const index of touched) length += profile[index]! ** 2;
  length = Math.sqrt(length);
  const confidence = ratingCount / (ratingCount + PERSONAL.confidenceRatings);
  return pool.map((paper) => {
    const cosine = length > 0 ? dotDense(strongTermsOf(paper.paperId), profile) / length : 0;
    const affinity = Math.max(-1, Math.min(1, cosine / PERSONAL.affinityScale));
    return { paperId: paper.paperId, cosine, personal: (1 - confidence) * paper.rank + confidence * affinity };
  });
}

/**
 * For a reader with several topics, the topic each paper matches best among theirs (-1 when only
 * a keyword brought it); undefined for a reader with one topic, who needs no share.
 */
function groupsOf(topicIds: number[], ranker: TTopicRanker): ((paperId: number) => number) | undefined {
  if (topicIds.length < 2) return undefined;
  const own = new Set(topicIds);
  return (paperId) => {
    let group = -1;
    let bestScore = -Infinity;
    for (const match of ranker.topicsOf(paperId)) {
      if (own.has(match.listId) && match.score > bestScore) [group, bestScore] = [match.listId, match.score];
    }
    return group;
  };
}

/**
 * Greedy by personal score, each fair share (digest size / topics) already taken from a paper's
 * topic costing it `fairShareCost`. Only the best three digests' worth are considered.
 */
export function takeWithTopicShares<T extends { paperId: number; personal: number }>(
  scored: T[],
  { digestSize, topicCount, groupOf }: { digestSize: number; topicCount: number; groupOf?: (paperId: number) => number },
): T[] {
  const sorted = [...scored].sort((a, b) => b.personal - a.personal || b.paperId - a.paperId);
  if (!groupOf || topicCount < 2) return sorted.slice(0, digestSize);
  const remaining = sorted.slice(0, digestSize * 3).map((paper) => ({ paper, group: groupOf(paper.paperId) }));
  const fairShare = digestSize / topicCount;
  const taken = new Map<number, number>();
  const chosen: T[] = [];
  while (chosen.length < digestSize && remaining.length > 0) {
    let bestIndex = 0;
    let bestValue = -Infinity;
    remaining.forEach(({ paper, group }, index) => {
      const value = paper.personal - (PERSONAL.fairShareCost * (taken.get(group) ?? 0)) / fairShare;
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

/** The `count` largest entries of a vector, indices kept ascending. */
function strongestTerms(vector: TSparseVector | undefined, count: number): TSparseVector {
  if (!vector) return { indices: [], values: [] };
  if (vector.indices.length <= count) return vector;
  const kept = vector.indices
    .map((index, k) => ({ index, value: vector.values[k]! }))
    .sort((a, b) => b.value - a.value)
    .slice(0, count)
    .sort((a, b) => a.index - b.index);
  return { indices: kept.map((entry) => entry.index), values: kept.map((entry) => entry.value) };
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

import { dot, dotDense, type TSparseVector } from '../matching/matching.features.ts';
import type { TRankedPaper, TTopicRanker } from './ranking.topics.ts';

/**
 * The personal ranking of a reader who rated papers (README, "Ranking"):
 *
 *   profile  = mean(vectors of papers rated up) − 0.5 × mean(vectors of papers rated down)
 *   affinity = cos(profile, paper) / max cos over the reader's candidates     (≤ 1)
 *   c        = n / (n + 5)                       n = the reader's ratings, seed papers included
 *   personal = (1 − c) × rank + c × affinity
 *
 * The candidates are the best `poolSize` papers of the reader's topic ranking: the ratings
 * re-order what the topics let in, so a few ratings cannot fill a digest with off-topic papers.
 * Papers rated down are never candidates. A reader with several topics gets a share per topic:
 * each fair share (digest size / topics) already taken from a paper's best-matching topic costs
 * it `fairShareCost`.
 */
export const PERSONAL = {
  dislikedWeight: 0.5,
  confidenceRatings: 5,
  poolSize: 200,
  fairShareCost: 0.05,
  /** Cosine to a paper the reader rated up above which the "why" line names that paper. */
  likedReasonSimilarity: 0.1,
} as const;

export type TRating = { paperId: number; rating: 1 | -1 };

export type TPersonalDigest = {
  paperIds: number[];
  /** Per planned paper, the paper the reader rated up that it most resembles; 0 when the topics explain it. */
  likedPaperIds: number[];
};

type TScored = TRankedPaper & { personal: number; affinity: number; group: number };

/**
 * Ranks readers' candidates with their ratings. Paper vectors are computed once per run; each
 * reader's profile is summed into one dense scratch array, read by every candidate, then cleared.
 */
export function createPersonalRanker({ ranker, vectors, dimensions }: { ranker: TTopicRanker; vectors: Map<number, TSparseVector>; dimensions: number }) {
  const profile = new Float64Array(dimensions);

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
    const touched = addProfile(profile, ratings, vectors);
    const rated = new Set(ratings.map((rating) => rating.paperId));
    const pool = ranker
      .rankedFor({ topicIds, keywordIds, limit: PERSONAL.poolSize })
      .filter((paper) => !rated.has(paper.paperId) && !received?.has(paper.paperId));
    const scored = scoreCandidates({ pool, profile, touched, vectors, ratingCount: ratings.length, topicIds: new Set(idsOf(topicIds)), ranker });
    touched.forEach((index) => (profile[index] = 0));
    const chosen = takeWithTopicShares(scored, digestSize, Math.max(1, idsOf(topicIds).length));
    const liked = ratings.filter((rating) => rating.rating > 0);
    return {
      paperIds: chosen.map((paper) => paper.paperId),
      likedPaperIds: chosen.map((paper) => (paper.affinity >= PERSONAL.likedReasonSimilarity ? nearestLiked(paper.paperId, liked, vectors) : 0)),
    };
  };
}

export type TPersonalRanker = ReturnType<typeof createPersonalRanker>;

/** Sums the Rocchio profile into `profile`; returns the indices it touched, to clear afterwards. */
function addProfile(profile: Float64Array, ratings: TRating[], vectors: Map<number, TSparseVector>): number[] {
  const touched: number[] = [];
  for (const { paperId, rating } of ratings) {
    const vector = vectors.get(paperId);
    if (!vector) continue;
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
  vectors,
  ratingCount,
  topicIds,
  ranker,
}: {
  pool: TRankedPaper[];
  profile: Float64Array;
  touched: number[];
  vectors: Map<number, TSparseVector>;
  ratingCount: number;
  topicIds: Set<number>;
  ranker: TTopicRanker;
}): TScored[] {
  let length = 0;
  for (const index of touched) length += profile[index]! ** 2;
  length = Math.sqrt(length);
  const cosines = pool.map((paper) => {
    const vector = vectors.get(paper.paperId);
    return vector && length > 0 ? dotDense(vector, profile) / length : 0;
  });
  const best = Math.max(0, ...cosines);
  const confidence = ratingCount / (ratingCount + PERSONAL.confidenceRatings);
  return pool.map((paper, index) => {
    const affinity = best > 0 ? cosines[index]! / best : 0;
    return { ...paper, affinity: cosines[index]!, personal: (1 - confidence) * paper.rank + confidence * affinity, group: mainTopic(paper.paperId, topicIds, ranker) };
  });
}

/** The reader's topic the paper matches best; -1 when only a keyword brought it. */
function mainTopic(paperId: number, topicIds: Set<number>, ranker: TTopicRanker): number {
  let group = -1;
  let bestScore = -Infinity;
  for (const match of ranker.topicsOf(paperId)) {
    if (topicIds.has(match.listId) && match.score > bestScore) {
      group = match.listId;
      bestScore = match.score;
    }
  }
  return group;
}

/** Greedy by personal score, each fair share already taken from a paper's topic costing it `fairShareCost`. */
export function takeWithTopicShares<T extends { paperId: number; personal: number; group: number }>(scored: T[], digestSize: number, topicCount: number): T[] {
  const sorted = [...scored].sort((a, b) => b.personal - a.personal || b.paperId - a.paperId);
  if (topicCount === 1) return sorted.slice(0, digestSize);
  const fairShare = digestSize / topicCount;
  const taken = new Map<number, number>();
  const chosen: T[] = [];
  const remaining = sorted.slice(0, digestSize * 3);
  while (chosen.length < digestSize && remaining.length > 0) {
    let bestIndex = 0;
    let bestValue = -Infinity;
    remaining.forEach((paper, index) => {
      const value = paper.personal - (PERSONAL.fairShareCost * (taken.get(paper.group) ?? 0)) / fairShare;
      if (value > bestValue) [bestIndex, bestValue] = [index, value];
    });
    const [paper] = remaining.splice(bestIndex, 1);
    chosen.push(paper!);
    taken.set(paper!.group, (taken.get(paper!.group) ?? 0) + 1);
  }
  return chosen;
}

/** The paper rated up that `paperId` is most like (the greatest cosine); 0 when none shares a term. */
function nearestLiked(paperId: number, liked: TRating[], vectors: Map<number, TSparseVector>): number {
  const vector = vectors.get(paperId);
  if (!vector) return 0;
  let nearest = 0;
  let best = 0;
  for (const { paperId: likedId } of liked) {
    const other = vectors.get(likedId);
    if (!other) continue;
    const similarity = dot(vector, other);
    if (similarity > best) [nearest, best] = [likedId, similarity];
  }
  return nearest;
}

function idsOf(key: string): number[] {
  return key ? key.split(',').map(Number) : [];
}

import { dotDense, strongestTerms, type TSparseVector } from '../matching/matching.features.ts';
import { createProfileBuilder, type TRating, type TReaderProfile } from './ranking.profile.ts';
import { groupsOf, takeWithTopicShares, topicSharesOf, type TRatedTopics } from './ranking.diversity.ts';
import { idsOf, type TRankedPaper, type TTopicRanker } from './ranking.topics.ts';

/**
 * The personal ranking of a reader who rated papers (README, "Ranking"):
 *
 *   c        = trust × n / (n + 5)               n = the reader's ratings, seed papers included
 *   personal = (1 − c) × rank + c × affinity     affinity and trust: ranking.profile.ts
 *
 * The candidates are the best `poolSize` papers of the reader's topic ranking: the ratings
 * re-order what the topics let in, so a few ratings cannot fill a digest with off-topic papers.
 * Papers rated down are never candidates. A reader with several topics gets a share per topic,
 * from their ratings (ranking.diversity.ts).
 */
const PERSONAL = {
  confidenceRatings: 5,
  poolSize: 60,
  /** Cosine to the papers rated up from which the "why" line names the one that brought a paper. */
  likedReasonSimilarity: 0.1,
  /** Papers enter the profile, meet it, and are compared for the "why" line by their strongest terms only (most of a vector's weight, a third of its cost). */
  strongTerms: 64,
  /** The "why" look-up searches the reader's latest likes, each by its very strongest terms. */
  reasonLikes: 10,
  reasonTerms: 16,
} as const;

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
    const groupOf = groupsOf(ownTopics, ranker.topicsOf);
    const chosen = takeWithTopicShares(scored.sort(byPersonal), {
      digestSize,
      scoreOf: (paper) => paper.personal,
      groupOf,
      shareOf: groupOf ? topicSharesOf({ ratings, topicIds: ownTopics, ratedTopics }) : () => 1,
    });
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

const byPersonal = (a: TScored, b: TScored) => b.personal - a.personal || b.paperId - a.paperId;

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
      if (similarity > best) {
        nearest = likedId;
        best = similarity;
      }
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

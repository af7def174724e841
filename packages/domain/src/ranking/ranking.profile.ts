import { dotDense, type TSparseVector } from '../matching/matching.features.ts';

/**
 * A reader's taste, learned from their ratings (README, "Ranking"):
 *
 *   up       = Σ vectors of papers rated up        down = Σ vectors of papers rated down
 *   like(S)  = (paper · S) / (‖S‖² / n)            n = the papers summed in S
 *   affinity = clamp((like(up) − 0.5 × like(down)) / 0.5, −1, 1)
 *   trust    = max(0, 2 × AUC − 1)
 *
 * AUC is how often a paper the reader rated up scores above one they rated down, each rated paper
 * scored by the profile of the others (left out). The profile re-orders the digest only as far as
 * it tells the reader's own ratings apart better than chance.
 *
 * `like` is the paper's projection on the profile's mean vector, in units of the mean's own
 * length: about 1 for a paper like the profile's typical paper, whether the papers summed are
 * alike or spread over many subjects. A cosine to the sum would shrink as they spread (a paper
 * just like one of ten unrelated papers rated down has a cosine of about 0.3 to their sum), and
 * two accidental "ups" on similar papers would then outweigh many "downs" of papers like them.
 *
 * Two profiles, not one difference: a reader whose first digest held nothing they wanted says
 * only "not these", and a single difference vector would then favour whatever shares no word
 * with them (papers of the reader's other topics), not the papers they are missing. A lone
 * "up" among several "downs" that resemble it (perhaps a slip) tells nothing apart, so it moves
 * nothing. A reader who rated only up, or only down, or one paper of each, has nothing to check
 * a rating against and is trusted.
 */
const PROFILE = {
  dislikedWeight: 0.5,
  /** The score that counts as full affinity: half the `like` the papers rated up have themselves, which is 1 on average. */
  affinityScale: 0.5,
} as const;

export type TRating = { paperId: number; rating: 1 | -1 };

export type TReaderProfile = {
  /** Cosine of a paper to the papers rated up (0 when none): how far the likes explain it. */
  likedCosine: (vector: TSparseVector) => number;
  /** The paper's affinity, given its `likedCosine` (the dot product with the papers rated up is computed once for both uses). */
  affinity: (vector: TSparseVector, likedCosine: number) => number;
  /** 0 to 1: how well the profile tells the reader's own ups from their downs. */
  trust: number;
  /** Zeroes the scratch arrays for the next reader. */
  clear: () => void;
};

type TSums = { weights: Float64Array; touched: number[]; squaredLength: number; count: number };

/**
 * Builds one reader's profile into dense scratch arrays of the run's dimensions, allocated once
 * per run and cleared after each reader.
 */
export function createProfileBuilder(dimensions: number) {
  const upWeights = new Float64Array(dimensions);
  const downWeights = new Float64Array(dimensions);
  return ({ ratings, vectorOf }: { ratings: TRating[]; vectorOf: (paperId: number) => TSparseVector }): TReaderProfile => {
    const liked: TSparseVector[] = [];
    const disliked: TSparseVector[] = [];
    for (const { paperId, rating } of ratings) (rating > 0 ? liked : disliked).push(vectorOf(paperId));
    const up = sumInto(upWeights, liked);
    const down = sumInto(downWeights, disliked);
    return {
      likedCosine: (vector) => cosineTo(up, vector),
      affinity: (vector, likedCosine) => Math.max(-1, Math.min(1, scoreOf(likeFromCosine(up, likedCosine), likeOf(down, vector)) / PROFILE.affinityScale)),
      trust: trustOf({ liked, disliked, up, down }),
      clear: () => {
        for (const index of up.touched) upWeights[index] = 0;
        for (const index of down.touched) downWeights[index] = 0;
      },
    };
  };
}

/** The affinity before its scale and clamp. */
const scoreOf = (upLike: number, downLike: number) => upLike - PROFILE.dislikedWeight * downLike;

function sumInto(weights: Float64Array, vectors: TSparseVector[]): TSums {
  const touched: number[] = [];
  for (const vector of vectors) {
    for (let k = 0; k < vector.indices.length; k += 1) {
      const index = vector.indices[k]!;
      if (weights[index] === 0) touched.push(index);
      weights[index] = weights[index]! + vector.values[k]!;
    }
  }
  let squaredLength = 0;
  for (const index of touched) squaredLength += weights[index]! ** 2;
  return { weights, touched, squaredLength, count: vectors.length };
}

function cosineTo(sums: TSums, vector: TSparseVector): number {
  return sums.squaredLength > 0 ? dotDense(vector, sums.weights) / Math.sqrt(sums.squaredLength) : 0;
}

/** `like` of a sum of `count` vectors whose squared length is `squaredLength`, from the paper's dot product with it. */
const likeOfDot = (dot: number, squaredLength: number, count: number) => (squaredLength > 1e-12 ? (count * dot) / squaredLength : 0);

const likeOf = (sums: TSums, vector: TSparseVector) => likeOfDot(dotDense(vector, sums.weights), sums.squaredLength, sums.count);

/** `like` from the cosine to the same sum: the dot product is the cosine times ‖S‖. */
const likeFromCosine = (sums: TSums, cosine: number) => likeOfDot(cosine * Math.sqrt(sums.squaredLength), sums.squaredLength, sums.count);

/**
 * `like` of a rated paper to a profile it is part of (`isIn`), with the paper taken out:
 * (S − v)·v = S·v − ‖v‖² and ‖S − v‖² = ‖S‖² − 2·v·S + ‖v‖², so no profile is rebuilt.
 */
function likeLeavingOut(sums: TSums, vector: TSparseVector, isIn: boolean): number {
  const dot = dotDense(vector, sums.weights);
  if (!isIn) return likeOfDot(dot, sums.squaredLength, sums.count);
  let own = 0;
  for (const value of vector.values) own += value * value;
  return likeOfDot(dot - own, sums.squaredLength - 2 * dot + own, sums.count - 1);
}

function trustOf({ liked, disliked, up, down }: { liked: TSparseVector[]; disliked: TSparseVector[]; up: TSums; down: TSums }): number {
  // Nothing to check a rating against: no ratings of one kind, or one of each (left out, each
  // would be scored by an empty profile of its own kind).
  if (liked.length === 0 || disliked.length === 0 || (liked.length === 1 && disliked.length === 1)) return 1;
  const likedScores = liked.map((vector) => scoreOf(likeLeavingOut(up, vector, true), likeLeavingOut(down, vector, false)));
  const dislikedScores = disliked.map((vector) => scoreOf(likeLeavingOut(up, vector, false), likeLeavingOut(down, vector, true)));
  return Math.max(0, 2 * aucOf(likedScores, dislikedScores) - 1);
}

/** How often a score of `ups` is above a score of `downs`, ties counting half. */
function aucOf(ups: number[], downs: number[]): number {
  let wins = 0;
  for (const upScore of ups) for (const downScore of downs) wins += upScore > downScore ? 1 : upScore === downScore ? 0.5 : 0;
  return wins / (ups.length * downs.length);
}

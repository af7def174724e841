import { dotDense, type TSparseVector } from '../matching/matching.features.ts';

/**
 * A reader's taste, learned from their ratings (README, "Ranking"):
 *
 *   up       = Σ vectors of papers rated up        down = Σ vectors of papers rated down
 *   affinity = clamp((cos(up, paper) − 0.5 × cos(down, paper)) / 0.25, −1, 1)
 *   trust    = max(0, 2 × AUC − 1)
 *
 * AUC is how often a paper the reader rated up scores above one they rated down, each rated paper
 * scored by the profile of the others (left out). The profile re-orders the digest only as far as
 * it tells the reader's own ratings apart better than chance.
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
  /**
   * The score that counts as full affinity. A fixed scale, not the best candidate's: a profile
   * built from few or mixed ratings meets every paper weakly and so moves the ranking little.
   */
  affinityScale: 0.25,
} as const;

export type TRating = { paperId: number; rating: 1 | -1 };

export type TReaderProfile = {
  /** Cosine of a paper to the papers rated up (0 when none): how far the likes explain it. */
  likedCosine: (vector: TSparseVector) => number;
  /** The paper's affinity, given its `likedCosine` (computed once for both uses). */
  affinity: (vector: TSparseVector, likedCosine: number) => number;
  /** 0 to 1: how well the profile tells the reader's own ups from their downs. */
  trust: number;
  /** Zeroes the scratch arrays for the next reader. */
  clear: () => void;
};

type TSums = { weights: Float64Array; touched: number[]; squaredLength: number };

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
      affinity: (vector, likedCosine) => Math.max(-1, Math.min(1, scoreOf(likedCosine, cosineTo(down, vector)) / PROFILE.affinityScale)),
      trust: trustOf({ liked, disliked, up, down }),
      clear: () => {
        for (const index of up.touched) upWeights[index] = 0;
        for (const index of down.touched) downWeights[index] = 0;
      },
    };
  };
}

/** The affinity before its scale and clamp. */
const scoreOf = (upCosine: number, downCosine: number) => upCosine - PROFILE.dislikedWeight * downCosine;

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
  return { weights, touched, squaredLength };
}

function cosineTo(sums: TSums, vector: TSparseVector): number {
  return sums.squaredLength > 0 ? dotDense(vector, sums.weights) / Math.sqrt(sums.squaredLength) : 0;
}

/**
 * Cosine of a rated paper to a profile it is part of (`isIn`), with the paper taken out:
 * ‖S − v‖² = ‖S‖² − 2·v·S + ‖v‖², so no profile is rebuilt.
 */
function cosineLeavingOut(sums: TSums, vector: TSparseVector, isIn: boolean): number {
  const dot = dotDense(vector, sums.weights);
  if (!isIn) return sums.squaredLength > 0 ? dot / Math.sqrt(sums.squaredLength) : 0;
  let own = 0;
  for (const value of vector.values) own += value * value;
  const squaredLength = sums.squaredLength - 2 * dot + own;
  return squaredLength > 1e-12 ? (dot - own) / Math.sqrt(squaredLength) : 0;
}

function trustOf({ liked, disliked, up, down }: { liked: TSparseVector[]; disliked: TSparseVector[]; up: TSums; down: TSums }): number {
  // Nothing to check a rating against: no ratings of one kind, or one of each (left out, each
  // would be scored by an empty profile of its own kind).
  if (liked.length === 0 || disliked.length === 0 || (liked.length === 1 && disliked.length === 1)) return 1;
  const likedScores = liked.map((vector) => scoreOf(cosineLeavingOut(up, vector, true), cosineLeavingOut(down, vector, false)));
  const dislikedScores = disliked.map((vector) => scoreOf(cosineLeavingOut(up, vector, false), cosineLeavingOut(down, vector, true)));
  return Math.max(0, 2 * aucOf(likedScores, dislikedScores) - 1);
}

/** How often a score of `ups` is above a score of `downs`, ties counting half. */
function aucOf(ups: number[], downs: number[]): number {
  let wins = 0;
  for (const upScore of ups) for (const downScore of downs) wins += upScore > downScore ? 1 : upScore === downScore ? 0.5 : 0;
  return wins / (ups.length * downs.length);
}

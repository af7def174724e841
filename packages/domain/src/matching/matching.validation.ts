// Cross-validation on the tuning part: picks the L2 strength and each topic's threshold, and
// measures the tuning part without ever training on the paper being predicted.
import { createHash } from 'node:crypto';
import { createTopicModel, TOPIC_IMPLICATIONS, withImplications, type TTopicModelArtifact } from './matching.model.ts';
import { fitTopicModel, labelsOf, TRAINING, type TTrainingPaper } from './matching.training.ts';

export const FOLDS = 5;

/** A paper's fold, fixed by its arXiv id (second byte of its sha256; the first decides the held-out split). */
export const foldOf = (arxivId: string) => createHash('sha256').update(arxivId).digest()[1]! % FOLDS;

type TProbabilities = Map<string, Map<string, number>>;

/** Each paper's probability per topic from the model fitted on the other folds, whose neighbours are only those folds' papers. */
function outOfFoldProbabilities({ papers, slugs, lambda }: { papers: TTrainingPaper[]; slugs: string[]; lambda: number }): TProbabilities {
  const result: TProbabilities = new Map();
  for (let fold = 0; fold < FOLDS; fold += 1) {
    const held = papers.filter((paper) => foldOf(paper.arxivId) === fold);
    if (held.length === 0) continue;
    const model = createTopicModel(fitTopicModel({ papers: papers.filter((paper) => foldOf(paper.arxivId) !== fold), slugs, lambda, trainingDataHash: '0'.repeat(64) }));
    for (const paper of held) {
      const text = model.vectorizer.vectorize(paper);
      result.set(paper.arxivId, model.probabilities({ text, categories: paper.categories, hits: paper.hits }));
    }
  }
  return result;
}

/**
 * The threshold with the best F1 over these (probability, label) pairs, placed halfway to the next
 * lower probability so that it does not sit on one training paper, and never below
 * `TRAINING.minThreshold`. 0.5 when there is no positive.
 */
export function chooseThreshold(pairs: { probability: number; positive: boolean }[]): number {
  const positives = pairs.filter((pair) => pair.positive).length;
  if (positives === 0) return 0.5;
  const sorted = [...pairs].sort((a, b) => b.probability - a.probability);
  let best = { f1: -1, index: 0 };
  let truePositives = 0;
  sorted.forEach((pair, index) => {
    if (pair.positive) truePositives += 1;
    if (index + 1 < sorted.length && sorted[index + 1]!.probability === pair.probability) return;
    const f1 = (2 * truePositives) / (index + 1 + positives);
    if (f1 > best.f1) best = { f1, index };
  });
  const at = sorted[best.index]!.probability;
  const below = sorted[best.index + 1]?.probability ?? 0;
  return Math.max(TRAINING.minThreshold, (at + below) / 2);
}

function thresholdsFrom({ probabilities, papers, slugs }: { probabilities: TProbabilities; papers: TTrainingPaper[]; slugs: string[] }) {
  const scored = papers.filter((paper) => probabilities.has(paper.arxivId));
  const pairsOf = (slug: string) => scored.map((paper) => ({ probability: probabilities.get(paper.arxivId)!.get(slug)!, positive: labelsOf(paper).has(slug) }));
  // Topics with few positives get noisy thresholds: each is pulled towards the one best for all topics pooled.
  const pooled = chooseThreshold(slugs.flatMap(pairsOf));
  const shrink = TRAINING.thresholdShrinkage;
  return new Map(slugs.map((slug) => [slug, (1 - shrink) * chooseThreshold(pairsOf(slug)) + shrink * pooled]));
}

function predictedSets({ probabilities, papers, thresholdsFor }: { probabilities: TProbabilities; papers: TTrainingPaper[]; thresholdsFor: (paper: TTrainingPaper) => Map<string, number> }) {
  return new Map(
    papers.map((paper) => {
      const thresholds = thresholdsFor(paper);
      const chosen = [...probabilities.get(paper.arxivId)!].filter(([slug, probability]) => probability >= thresholds.get(slug)!).map(([slug]) => slug);
      return [paper.arxivId, withImplications(chosen, TOPIC_IMPLICATIONS)];
    }),
  );
}

function microF1({ predicted, papers }: { predicted: Map<string, Set<string>>; papers: TTrainingPaper[] }) {
  let truePositives = 0;
  let predictedCount = 0;
  let actualCount = 0;
  for (const paper of papers) {
    const actual = labelsOf(paper);
    const guessed = predicted.get(paper.arxivId)!;
    predictedCount += guessed.size;
    actualCount += actual.size;
    for (const slug of guessed) if (actual.has(slug)) truePositives += 1;
  }
  return predictedCount + actualCount === 0 ? 0 : (2 * truePositives) / (predictedCount + actualCount);
}

/**
 * The tuning part's topics as cross-validation predicts them: each paper by the model that did not
 * see it, with thresholds chosen on the other folds' papers only.
 */
export function crossValidatedPredictions({ papers, slugs, lambda }: { papers: TTrainingPaper[]; slugs: string[]; lambda: number }) {
  const probabilities = outOfFoldProbabilities({ papers, slugs, lambda });
  const byFold = new Map<number, Map<string, number>>();
  for (let fold = 0; fold < FOLDS; fold += 1) {
    byFold.set(fold, thresholdsFrom({ probabilities, papers: papers.filter((paper) => foldOf(paper.arxivId) !== fold), slugs }));
  }
  return predictedSets({ probabilities, papers, thresholdsFor: (paper) => byFold.get(foldOf(paper.arxivId))! });
}

/** Picks λ by cross-validated micro-F1, sets thresholds from its out-of-fold probabilities, then fits on every paper. */
export function trainTopicModel({ papers, slugs, trainingDataHash }: { papers: TTrainingPaper[]; slugs: string[]; trainingDataHash: string }): {
  artifact: TTopicModelArtifact;
  search: { lambda: number; microF1: number }[];
} {
  const search = TRAINING.regularizations.map((lambda) => {
    const probabilities = outOfFoldProbabilities({ papers, slugs, lambda });
    const thresholds = thresholdsFrom({ probabilities, papers, slugs });
    return { lambda, thresholds, microF1: microF1({ predicted: predictedSets({ probabilities, papers, thresholdsFor: () => thresholds }), papers }) };
  });
  const best = search.reduce((a, b) => (b.microF1 > a.microF1 ? b : a));
  const artifact = fitTopicModel({ papers, slugs, lambda: best.lambda, trainingDataHash });
  for (const topic of artifact.topics) topic.threshold = Number(best.thresholds.get(topic.slug)!.toFixed(4));
  return { artifact, search: search.map(({ lambda, microF1: f1 }) => ({ lambda, microF1: f1 })) };
}

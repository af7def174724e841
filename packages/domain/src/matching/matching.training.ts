// Trains the topic model: one L2-regularised logistic regression per topic (one-vs-rest), fitted by
// accelerated gradient descent, on text and category columns scaled by the topic's naive-Bayes
// log-count ratio (NB-LR), which cross-validation on the tuning part preferred to the plain columns.
// Hand-written because the npm libraries for logistic regression take dense matrices (tens of
// thousands of TF-IDF columns here) and have no L2 term; this is forty lines and deterministic.
// The artifact also keeps every training paper's strongest terms and topics, for the
// nearest-neighbour vote blended into each probability (matching.neighbours.ts).
import { buildVocabulary, createTextVectorizer, type TPaperText, type TSparseVector } from './matching.features.ts';
import { collectNeighbours } from './matching.neighbours.ts';
import { termFeatures, TOPIC_IMPLICATIONS, TOPIC_MODEL_VERSION, withImplications, type TTermHit, type TTopicModelArtifact } from './matching.model.ts';

export type TTrainingPaper = TPaperText & {
  arxivId: string;
  categories: string[];
  /** Labelled topic slugs; implied topics are added by the trainer. */
  topics: string[];
  /** Term-list evidence by topic slug. */
  hits: Map<string, TTermHit>;
};

export const TRAINING = {
  /** Candidate L2 strengths (λ in ½λ‖w‖² added to the mean log-loss); cross-validation picks one. */
  regularizations: [1e-4, 3e-4, 1e-3, 3e-3],
  iterations: 400,
  /** Loss weight of a topic's positive papers relative to its negatives (most papers are negatives). */
  positiveWeight: 1,
  /** No threshold is set below this probability, however few positives a topic has. */
  minThreshold: 0.15,
  /** How far each topic's threshold is pulled towards the threshold best for all topics pooled (0: not at all). */
  thresholdShrinkage: 0.6,
  /** A category seen in fewer training papers is no evidence. */
  minCategoryPapers: 2,
  /** Pseudo-count of every column in the naive-Bayes log-count ratio (1, as Wang & Manning 2012). */
  nbSmoothing: 1,
  /** Weights this small are dropped from the artifact: they change no decision. */
  pruneBelow: 1e-4,
} as const;

type TRow = { x: TSparseVector; y: number };

/** Weights in [nonNegativeFrom, nonNegativeTo) are kept ≥ 0 (projected gradient): features that can only be evidence for the class. */
function fitLogistic({
  rows,
  dimension,
  lambda,
  iterations,
  nonNegativeFrom,
  nonNegativeTo,
}: {
  rows: TRow[];
  dimension: number;
  lambda: number;
  iterations: number;
  nonNegativeFrom: number;
  nonNegativeTo: number;
}) {
  const n = rows.length;
  // Step 1/L, L bounding the curvature of the mean log-loss (¼·max‖x‖², bias included) plus λ.
  const maxNorm = Math.max(1, ...rows.map((row) => 1 + row.x.values.reduce((sum, value) => sum + value * value, 0)));
  const step = 1 / (0.25 * maxNorm + lambda);
  // Nesterov's accelerated gradient: `look` is the extrapolated point the gradient is taken at.
  const weights = new Float64Array(dimension);
  const look = new Float64Array(dimension);
  const gradient = new Float64Array(dimension);
  let bias = 0;
  let lookBias = 0;
  for (let iteration = 0; iteration < iterations; iteration += 1) {
    for (let d = 0; d < dimension; d += 1) gradient[d] = lambda * look[d]!;
    let biasGradient = 0;
    for (const { x, y } of rows) {
      let logit = lookBias;
      for (let k = 0; k < x.indices.length; k += 1) logit += x.values[k]! * look[x.indices[k]!]!;
      const error = ((1 / (1 + Math.exp(-logit)) - y) * (y === 1 ? TRAINING.positiveWeight : 1)) / n;
      biasGradient += error;
      for (let k = 0; k < x.indices.length; k += 1) gradient[x.indices[k]!]! += error * x.values[k]!;
    }
    const momentum = iteration / (iteration + 3);
    for (let d = 0; d < dimension; d += 1) {
      const stepped = look[d]! - step * gradient[d]!;
      const next = d >= nonNegativeFrom && d < nonNegativeTo ? Math.max(0, stepped) : stepped;
      look[d] = next + momentum * (next - weights[d]!);
      weights[d] = next;
    }
    const nextBias = lookBias - step * biasGradient;
    lookBias = nextBias + momentum * (nextBias - bias);
    bias = nextBias;
  }
  return { weights, bias };
}

const round = (value: number) => Number(value.toPrecision(4));

function sparseOf(weights: Float64Array, from: number, to: number): TSparseVector {
  const indices: number[] = [];
  const values: number[] = [];
  for (let d = from; d < to; d += 1) {
    if (Math.abs(weights[d]!) >= TRAINING.pruneBelow) {
      indices.push(d - from);
      values.push(round(weights[d]!));
    }
  }
  return { indices, values };
}

/** Labelled slugs with the implied ones added. */
export const labelsOf = (paper: TTrainingPaper) => withImplications(paper.topics, TOPIC_IMPLICATIONS);

/** Categories in enough training papers to be evidence, sorted. */
function categoryVocabulary(papers: TTrainingPaper[]): string[] {
  const counts = new Map<string, number>();
  for (const paper of papers) for (const category of new Set(paper.categories)) counts.set(category, (counts.get(category) ?? 0) + 1);
  return [...counts].filter(([, count]) => count >= TRAINING.minCategoryPapers).map(([category]) => category).sort();
}

type TBaseRow = TSparseVector & { labels: Set<string>; hits: Map<string, TTermHit> };

/**
 * Per column before `columns`, the naive-Bayes log-count ratio on binarised columns: ln of the
 * column's smoothed share of all column occurrences in the topic's papers over its share in the
 * other papers'. Scaling a column by it makes the L2 penalty cheap for columns that tell the topic
 * apart and dear for the rest; it is computed from the training papers only.
 */
function logCountRatios(base: TBaseRow[], slug: string, columns: number): Float64Array {
  const inTopic = new Float64Array(columns).fill(TRAINING.nbSmoothing);
  const outside = new Float64Array(columns).fill(TRAINING.nbSmoothing);
  for (const paper of base) {
    const counts = paper.labels.has(slug) ? inTopic : outside;
    for (const index of paper.indices) if (index < columns) counts[index]! += 1;
  }
  const total = (counts: Float64Array) => counts.reduce((sum, value) => sum + value, 0);
  const [inTotal, outTotal] = [total(inTopic), total(outside)];
  return inTopic.map((count, index) => Math.log(count / inTotal) - Math.log(outside[index]! / outTotal));
}

/** One topic's regression; the columns after `termStart` are its own term list (3) then every topic's damped score. */
function fitTopic({ base, slug, slugs, textSize, termStart, lambda }: { base: TBaseRow[]; slug: string; slugs: string[]; textSize: number; termStart: number; lambda: number }) {
  // NB-LR (Wang & Manning 2012): the regression sees each text and category column times its ratio.
  const scale = logCountRatios(base, slug, termStart);
  const rows = base.map((paper) => {
    const terms = [...termFeatures(paper.hits.get(slug)), ...slugs.map((other) => (other === slug ? 0 : Math.log1p(paper.hits.get(other)?.score ?? 0)))];
    const values = paper.values.map((value, k) => value * scale[paper.indices[k]!]!);
    return { x: { indices: [...paper.indices, ...terms.map((_, k) => termStart + k)], values: [...values, ...terms] }, y: paper.labels.has(slug) ? 1 : 0 };
  });
  const { weights, bias } = fitLogistic({
    rows,
    dimension: termStart + 3 + slugs.length,
    lambda,
    iterations: TRAINING.iterations,
    // More term-list evidence never argues against the topic, so an admin's added term can only pull papers in.
    nonNegativeFrom: termStart,
    nonNegativeTo: termStart + 3,
  });
  // Folded back onto the raw columns, the weights score an unscaled vector: the scorer and the artifact do not change.
  for (let d = 0; d < termStart; d += 1) weights[d]! *= scale[d]!;
  return {
    slug,
    bias: round(bias),
    text: sparseOf(weights, 0, textSize),
    category: sparseOf(weights, textSize, termStart),
    termList: Array.from(weights.subarray(termStart, termStart + 3), round),
    otherTermLists: Array.from(weights.subarray(termStart + 3, termStart + 3 + slugs.length), round),
    threshold: 0.5,
  };
}

/**
 * Fits every topic on `papers` with L2 strength `lambda`. Thresholds are left at 0.5: the caller
 * sets them from cross-validation. Columns: [text | categories | own term list | other topics' term scores].
 */
export function fitTopicModel({ papers, slugs, lambda, trainingDataHash }: { papers: TTrainingPaper[]; slugs: string[]; lambda: number; trainingDataHash: string }): TTopicModelArtifact {
  const features = buildVocabulary({ papers });
  const vectorizer = createTextVectorizer(features);
  const categories = categoryVocabulary(papers);
  const categoryIndex = new Map(categories.map((category, index) => [category, vectorizer.size + index]));
  const texts = papers.map((paper) => vectorizer.vectorize(paper));
  const base = papers.map((paper, n) => {
    const text = texts[n]!;
    const columns = [...new Set(paper.categories)].flatMap((category) => (categoryIndex.has(category) ? [categoryIndex.get(category)!] : [])).sort((a, b) => a - b);
    return { indices: [...text.indices, ...columns], values: [...text.values, ...columns.map(() => 1)], labels: labelsOf(paper), hits: paper.hits };
  });
  const termStart = vectorizer.size + categories.length;
  return {
    version: TOPIC_MODEL_VERSION,
    trainedAt: new Date().toISOString(),
    trainingDataHash,
    trainingPapers: papers.length,
    regularization: lambda,
    features: { ...features, idf: features.idf.map((value) => Number(value.toFixed(4))) },
    categories,
    termTopics: slugs,
    implications: TOPIC_IMPLICATIONS,
    topics: slugs.map((slug) => fitTopic({ base, slug, slugs, textSize: vectorizer.size, termStart, lambda })),
    neighbours: collectNeighbours(base.map((paper, n) => ({ text: texts[n]!, topics: paper.labels }))),
  };
}

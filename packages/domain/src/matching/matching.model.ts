// The learned topic matcher's artifact: one L2-regularised logistic regression per topic over the
// paper's TF-IDF text vector, its arXiv categories and the topic's own term-list score, blended with
// the topics of the paper's nearest training papers (matching.neighbours.ts). Written by
// `npm run train:topics`, committed, and loaded once at start by whoever matches papers.
import { readFile } from 'node:fs/promises';
import { repoPath } from '@paperboy/runtime';
import { z } from 'zod';
import { createTextVectorizer, dotDense, ZSparseVector, type TSparseVector, type TTextVectorizer } from './matching.features.ts';
import { blendWithVote, createNeighbourVoter, ZNeighbours } from './matching.neighbours.ts';
import { MATCHING } from './matching.scoring.ts';

export const TOPIC_MODEL_VERSION = 2;

/** A paper of the child topic is always one of the parent's too ("diffusion models are generative models"). */
export const TOPIC_IMPLICATIONS: Record<string, string[]> = { 'diffusion-models': ['generative-models'] };

export const ZTopicModel = z.object({
  version: z.literal(TOPIC_MODEL_VERSION),
  trainedAt: z.string(),
  /** sha256 of the training papers, their labels and the topic terms: which data made these weights. */
  trainingDataHash: z.string().regex(/^[0-9a-f]{64}$/),
  trainingPapers: z.number().int().positive(),
  regularization: z.number().positive(),
  features: z
    .object({ terms: z.array(z.string()), idf: z.array(z.number().positive()), titleWeight: z.number().positive() })
    .refine((v) => v.terms.length === v.idf.length, 'terms and idf differ in length'),
  categories: z.array(z.string()),
  /** The topics whose term-list scores every topic's model also sees ("image codec" terms argue against model compression). */
  termTopics: z.array(z.string()),
  implications: z.record(z.string(), z.array(z.string())),
  topics: z.array(
    z.object({
      slug: z.string(),
      bias: z.number(),
      /** Over `features.terms`; near-zero weights are pruned. */
      text: ZSparseVector,
      /** Over `categories`. */
      category: ZSparseVector,
      /** Over `termFeatures(...)`. */
      termList: z.array(z.number()),
      /** Over `termTopics`, of `ln(1 + score)`; 0 at the topic's own slug, which `termList` covers. */
      otherTermLists: z.array(z.number()),
      /** Blended probability at or above which the paper belongs to the topic, chosen by cross-validation. */
      threshold: z.number().min(0).max(1),
    }),
  ),
  neighbours: ZNeighbours,
});
export type TTopicModelArtifact = z.infer<typeof ZTopicModel>;

/** The term-list evidence of one topic for one paper: its score (no threshold applied) and the terms that hit. */
export type TTermHit = { score: number; matchedTerms: string[] };

/**
 * The term-list score as model features, so an admin who edits a topic's terms still moves its
 * matches: the damped score, whether the hand-set threshold alone would match, and the damped number of distinct hits.
 */
export function termFeatures(hit: TTermHit | undefined): number[] {
  if (!hit) return [0, 0, 0];
  return [Math.log1p(hit.score), hit.score >= MATCHING.topicThreshold ? 1 : 0, Math.log1p(hit.matchedTerms.length)];
}

type TScoringInput = { text: TSparseVector; categories: string[]; hits: Map<string, TTermHit> };

/**
 * What every topic's regression reads of one paper besides its text, worked out once per paper
 * rather than once per topic: its categories' indices in the artifact (−1 when unknown) and, per
 * `termTopics`, `ln(1 + term-list score)`.
 */
type TPaperEvidence = { text: TSparseVector; hits: Map<string, TTermHit>; categoryIndices: Int32Array; termScores: Float64Array };

type TTopicScorer = {
  slug: string;
  /** Compared with the blended probability (`TTopicModel.probabilities`). */
  threshold: number;
  /** The topic's regression alone: its probability that the paper belongs to the topic. */
  probability: (input: TScoringInput) => number;
  /** The same, from evidence already worked out for the paper. */
  probabilityOf: (evidence: TPaperEvidence) => number;
  /** The text n-grams that pushed the paper most towards the topic, strongest first. */
  topNgrams: (text: TSparseVector, count: number) => string[];
};

export type TTopicModel = {
  artifact: TTopicModelArtifact;
  vectorizer: TTextVectorizer;
  scorers: Map<string, TTopicScorer>;
  /** The topics the model knows, in the order of `probabilityVector`. */
  slugs: string[];
  /** Per topic the model knows, the regression's probability blended with the nearest training papers' votes. */
  probabilities: (input: TScoringInput) => Map<string, number>;
  /** The same probabilities, in the order of `slugs`: the matching path reads them without building a map per paper. */
  probabilityVector: (input: TScoringInput) => Float64Array;
  implications: Record<string, string[]>;
};

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function densify(vector: TSparseVector, size: number): Float64Array {
  const dense = new Float64Array(size);
  vector.indices.forEach((index, k) => {
    dense[index] = vector.values[k]!;
  });
  return dense;
}

function createEvidenceReader(artifact: TTopicModelArtifact): (input: TScoringInput) => TPaperEvidence {
  const categoryIndex = new Map(artifact.categories.map((category, index) => [category, index]));
  return ({ text, categories, hits }) => ({
    text,
    hits,
    categoryIndices: Int32Array.from(categories, (category) => categoryIndex.get(category) ?? -1),
    termScores: Float64Array.from(artifact.termTopics, (slug) => Math.log1p(hits.get(slug)?.score ?? 0)),
  });
}

function createScorer({ topic, artifact, vectorizer, evidenceOf }: { topic: TTopicModelArtifact['topics'][number]; artifact: TTopicModelArtifact; vectorizer: TTextVectorizer; evidenceOf: (input: TScoringInput) => TPaperEvidence }): TTopicScorer {
  const textWeights = densify(topic.text, vectorizer.size);
  const categoryWeights = densify(topic.category, artifact.categories.length);
  const termListWeights = [0, 1, 2].map((k) => topic.termList[k] ?? 0);
  // The other topics' term lists, in `termTopics` order; the topic's own is `termList`.
  const others = Int32Array.from(artifact.termTopics.flatMap((slug, k) => (slug === topic.slug ? [] : [k])));
  const otherWeights = Float64Array.from(others, (k) => topic.otherTermLists[k] ?? 0);
  // Terms are added in a fixed order (text, categories, own term list, other term lists), so the
  // probability is the same to the last bit whichever way the evidence arrives.
  const probabilityOf = ({ text, hits, categoryIndices, termScores }: TPaperEvidence) => {
    let logit = topic.bias + dotDense(text, textWeights);
    for (const index of categoryIndices) if (index >= 0) logit += categoryWeights[index]!;
    const hit = hits.get(topic.slug);
    if (hit) {
      termFeatures(hit).forEach((value, k) => {
        logit += value * termListWeights[k]!;
      });
    }
    for (let n = 0; n < others.length; n += 1) logit += termScores[others[n]!]! * otherWeights[n]!;
    return sigmoid(logit);
  };
  return {
    slug: topic.slug,
    threshold: topic.threshold,
    probability: (input) => probabilityOf(evidenceOf(input)),
    probabilityOf,
    topNgrams: (text, count) =>
      text.indices
        .map((index, k) => ({ index, contribution: text.values[k]! * textWeights[index]! }))
        .filter((entry) => entry.contribution > 0)
        .sort((a, b) => b.contribution - a.contribution)
        .slice(0, count)
        .map((entry) => vectorizer.term(entry.index)),
  };
}

/** Builds the scorers of a validated artifact (dense weights, lookup maps, the neighbours' index): once per process. */
export function createTopicModel(artifact: TTopicModelArtifact): TTopicModel {
  const vectorizer = createTextVectorizer(artifact.features);
  const evidenceOf = createEvidenceReader(artifact);
  const scorers = new Map(artifact.topics.map((topic) => [topic.slug, createScorer({ topic, artifact, vectorizer, evidenceOf })]));
  const slugs = [...scorers.keys()];
  const ordered = [...scorers.values()];
  const votesOf = createNeighbourVoter(artifact.neighbours, slugs);
  const { share } = artifact.neighbours;
  const probabilityVector = (input: TScoringInput) => {
    const evidence = evidenceOf(input);
    const votes = votesOf(input.text);
    return Float64Array.from(ordered, (scorer, t) => blendWithVote({ probability: scorer.probabilityOf(evidence), vote: votes?.[t], share }));
  };
  return {
    artifact,
    vectorizer,
    implications: artifact.implications,
    scorers,
    slugs,
    probabilityVector,
    probabilities: (input) => {
      const vector = probabilityVector(input);
      return new Map(slugs.map((slug, t) => [slug, vector[t]!]));
    },
  };
}

export class TopicModelFileError extends Error {}

export const defaultTopicModelPath = () => repoPath('packages', 'domain', 'models', 'topics.model.json');

/** Reads and validates the artifact; a missing or malformed file is an error that names it. */
export async function loadTopicModel({ path = defaultTopicModelPath() }: { path?: string } = {}): Promise<TTopicModel> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new TopicModelFileError(`The topic model ${path} could not be read: ${(error as Error).message}. Run \`npm run train:topics\`.`);
  }
  const result = ZTopicModel.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new TopicModelFileError(`The topic model ${path} is invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return createTopicModel(result.data);
}

/** The slugs plus every slug they imply, transitively. */
export function withImplications(slugs: Iterable<string>, implications: Record<string, string[]>): Set<string> {
  const result = new Set(slugs);
  const pending = [...result];
  while (pending.length > 0) {
    for (const parent of implications[pending.pop()!] ?? []) {
      if (!result.has(parent)) {
        result.add(parent);
        pending.push(parent);
      }
    }
  }
  return result;
}

import { RANKING } from '../ranking/ranking.formula.ts';
import { ngramSurface, type TPaperText } from './matching.features.ts';
import { MATCHING } from './matching.scoring.ts';
import { withImplications, type TTermHit, type TTopicModel } from './matching.model.ts';

export type TPaperToMatch = TPaperText & { id: number; categories: string[] };
export type TTopicMatchRow = { paperId: number; topicId: number; score: number; matchedTerms: string[] };

/** Where the model matched without a single term-list hit, this many n-grams explain why. */
const EXPLAINING_NGRAMS = 3;

/**
 * The stored score of a model match: −3·ln(1 − p), so that the ranking's relevance
 * `1 − exp(−S/3)` of a single topic is its probability p, and several topics combine as a noisy-or.
 */
export const scoreOfProbability = (probability: number) => -RANKING.relevanceScale * Math.log(1 - Math.min(probability, 0.999));

export const hitKey = (paperId: number, topicId: number) => `${paperId}:${topicId}`;

/**
 * Decides the topics of each paper: topics the model knows by its per-topic probability and
 * threshold; topics added since it was trained by their term-list score and the hand-set
 * threshold, as before the model. Then implied topics are added. `score` is `scoreOfProbability`
 * for the model's topics and the term-list score for the others.
 */
export function predictTopicMatches({
  model,
  papers,
  topics,
  hits,
  only,
}: {
  model: TTopicModel;
  papers: TPaperToMatch[];
  /** Every topic: the model also weighs the other topics' term-list scores. */
  topics: { id: number; slug: string }[];
  hits: Map<string, TTermHit>;
  /** Decide only these topics (and what they imply); all when absent. */
  only?: Set<number>;
}): TTopicMatchRow[] {
  const topicBySlug = new Map(topics.map((topic) => [topic.slug, topic]));
  const deciding = only ? topics.filter((topic) => only.has(topic.id)) : topics;
  return papers.flatMap((paper) => {
    const text = model.vectorizer.vectorize(paper);
    const paperHits = new Map(topics.flatMap((topic) => {
      const hit = hits.get(hitKey(paper.id, topic.id));
      return hit ? [[topic.slug, hit] as const] : [];
    }));
    const probabilities = model.probabilities({ text, categories: paper.categories, hits: paperHits });
    const matched = new Map<string, { score: number; matchedTerms: string[] }>();
    for (const topic of deciding) {
      const hit = paperHits.get(topic.slug);
      const scorer = model.scorers.get(topic.slug);
      if (!scorer) {
        if (hit && hit.score >= MATCHING.topicThreshold) matched.set(topic.slug, hit);
        continue;
      }
      const probability = probabilities.get(topic.slug)!;
      if (probability < scorer.threshold) continue;
      const matchedTerms = hit && hit.matchedTerms.length > 0 ? hit.matchedTerms : scorer.topNgrams(text, EXPLAINING_NGRAMS).map((ngram) => ngramSurface(paper, ngram));
      matched.set(topic.slug, { score: scoreOfProbability(probability), matchedTerms });
    }
    for (const slug of [...matched.keys()]) {
      for (const implied of withImplications([slug], model.implications)) {
        const topic = topicBySlug.get(implied);
        if (!topic || matched.has(implied)) continue;
        const own = hits.get(hitKey(paper.id, topic.id));
        const from = matched.get(slug)!;
        matched.set(implied, { score: from.score, matchedTerms: own && own.matchedTerms.length > 0 ? own.matchedTerms : from.matchedTerms });
      }
    }
    return [...matched].map(([slug, match]) => ({ paperId: paper.id, topicId: topicBySlug.get(slug)!.id, ...match }));
  });
}

import { RANKING } from '../ranking/ranking.formula.ts';
import type { TPaperText } from './matching.features.ts';
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
  const modelIndex = new Map(model.slugs.map((slug, index) => [slug, index]));
  // What each deciding topic needs, looked up once per batch rather than once per paper.
  const deciding = (only ? topics.filter((topic) => only.has(topic.id)) : topics).map((topic) => ({
    slug: topic.slug,
    scorer: model.scorers.get(topic.slug),
    index: modelIndex.get(topic.slug) ?? -1,
    implied: [...withImplications([topic.slug], model.implications)].flatMap((slug) => (slug !== topic.slug && topicBySlug.has(slug) ? [topicBySlug.get(slug)!] : [])),
  }));
  const impliedOf = new Map(deciding.map((topic) => [topic.slug, topic.implied]));
  return papers.flatMap((paper) => {
    const text = model.vectorizer.vectorize(paper);
    const paperHits = new Map<string, TTermHit>();
    for (const topic of topics) {
      const hit = hits.get(hitKey(paper.id, topic.id));
      if (hit) paperHits.set(topic.slug, hit);
    }
    const probabilities = model.probabilityVector({ text, categories: paper.categories, hits: paperHits });
    const surfaceOf = model.vectorizer.surfaces(paper);
    const matched = new Map<string, { score: number; matchedTerms: string[] }>();
    for (const { slug, scorer, index } of deciding) {
      const hit = paperHits.get(slug);
      if (!scorer) {
        if (hit && hit.score >= MATCHING.topicThreshold) matched.set(slug, hit);
        continue;
      }
      const probability = probabilities[index]!;
      if (probability < scorer.threshold) continue;
      const matchedTerms = hit && hit.matchedTerms.length > 0 ? hit.matchedTerms : scorer.topNgrams(text, EXPLAINING_NGRAMS).map((ngram) => surfaceOf(ngram));
      matched.set(slug, { score: scoreOfProbability(probability), matchedTerms });
    }
    for (const slug of [...matched.keys()]) {
      for (const topic of impliedOf.get(slug)!) {
        if (matched.has(topic.slug)) continue;
        const own = hits.get(hitKey(paper.id, topic.id));
        const from = matched.get(slug)!;
        matched.set(topic.slug, { score: from.score, matchedTerms: own && own.matchedTerms.length > 0 ? own.matchedTerms : from.matchedTerms });
      }
    }
    return [...matched].map(([slug, match]) => ({ paperId: paper.id, topicId: topicBySlug.get(slug)!.id, ...match }));
  });
}

import { describe, expect, it } from 'vitest';
import { createTopicModel, type TTermHit } from './matching.model.ts';
import { fitTopicModel, type TTrainingPaper } from './matching.training.ts';

const paper = (n: number, topic: boolean, hitOnNegative: boolean): TTrainingPaper => ({
  arxivId: `2401.${String(n).padStart(5, '0')}`,
  title: topic ? `Diffusion sampler number ${n}` : `Convex program number ${n}`,
  abstract: topic ? 'A denoising diffusion model for images.' : 'Duality and convex optimisation.',
  categories: topic ? ['cs.CV'] : ['math.OC'],
  topics: topic ? ['diffusion-models'] : [],
  // The term list hits only papers outside the topic: the data argue against it.
  hits: hitOnNegative && !topic ? new Map([['diffusion-models', { score: 2.5, matchedTerms: ['convex'] }]]) : new Map<string, TTermHit>(),
});

describe('training the topic model', () => {
  const papers = Array.from({ length: 20 }, (_, n) => paper(n, n % 2 === 0, true));
  const artifact = fitTopicModel({ papers, slugs: ['diffusion-models', 'generative-models'], lambda: 0.001, trainingDataHash: 'a'.repeat(64) });

  it('separates the papers of a topic from the others by their text and categories', () => {
    const model = createTopicModel(artifact);
    const scorer = model.scorers.get('diffusion-models')!;
    const probability = (p: TTrainingPaper) => scorer.probability({ text: model.vectorizer.vectorize(p), categories: p.categories, hits: new Map() });
    expect(probability(paper(100, true, false))).toBeGreaterThan(0.8);
    expect(probability(paper(101, false, false))).toBeLessThan(0.2);
  });

  it('learns implied topics from the labels, and never a negative weight for the topic’s own term list', () => {
    const model = createTopicModel(artifact);
    const generative = model.scorers.get('generative-models')!;
    const positive = paper(102, true, false);
    expect(generative.probability({ text: model.vectorizer.vectorize(positive), categories: positive.categories, hits: new Map() })).toBeGreaterThan(0.8);
    for (const topic of artifact.topics) for (const weight of topic.termList) expect(weight).toBeGreaterThanOrEqual(0);
  });
});

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildVocabulary } from './matching.features.ts';
import { createTopicModel, loadTopicModel, TopicModelFileError, type TTopicModelArtifact } from './matching.model.ts';
import { hitKey, predictTopicMatches, scoreOfProbability } from './matching.predict.ts';
import { chooseThreshold } from './matching.validation.ts';

const papers = [
  { id: 1, title: 'Score-based diffusion for images', abstract: 'A denoising diffusion sampler.', categories: ['cs.CV'] },
  { id: 2, title: 'Convex analysis', abstract: 'Duality for convex programs.', categories: [] },
];
const features = buildVocabulary({ papers, minDocumentFrequency: 1 });
const diffusionIndex = features.terms.indexOf('diffus');

// A hand-set model: "diffus" in the text decides diffusion-models; the term list decides nothing;
// with no training paper to be near, the regressions alone decide.
const artifact: TTopicModelArtifact = {
  version: 2,
  trainedAt: '2026-01-01T00:00:00.000Z',
  trainingDataHash: '0'.repeat(64),
  trainingPapers: 2,
  regularization: 0.001,
  features,
  categories: [],
  termTopics: ['diffusion-models', 'generative-models'],
  implications: { 'diffusion-models': ['generative-models'] },
  topics: [
    { slug: 'diffusion-models', bias: -2, text: { indices: [diffusionIndex], values: [10] }, category: { indices: [], values: [] }, termList: [0, 0, 0], otherTermLists: [0, 0], threshold: 0.5 },
    { slug: 'generative-models', bias: -9, text: { indices: [], values: [] }, category: { indices: [], values: [] }, termList: [0, 0, 0], otherTermLists: [0, 0], threshold: 0.5 },
  ],
  neighbours: { count: 10, share: 0.5, minTerms: 5, papers: [] },
};
const topics = [
  { id: 10, slug: 'diffusion-models' },
  { id: 11, slug: 'generative-models' },
  { id: 12, slug: 'convexity' },
];

describe('deciding topics with the model', () => {
  it('adds implied topics, explains a match without term hits by the paper’s own words, and falls back to the term list for a topic the model does not know', () => {
    const hits = new Map([[hitKey(2, 12), { score: 2.5, matchedTerms: ['convex'] }]]);
    const matches = predictTopicMatches({ model: createTopicModel(artifact), papers, topics, hits });
    const byPaper = (id: number) => matches.filter((match) => match.paperId === id).map((match) => [match.topicId, match.matchedTerms]);
    expect(byPaper(1)).toEqual([
      [10, expect.arrayContaining(['diffusion'])],
      [11, expect.arrayContaining(['diffusion'])],
    ]);
    expect(byPaper(2)).toEqual([[12, ['convex']]]);
    expect(matches.find((match) => match.topicId === 12)!.score).toBe(2.5);
  });

  it('decides only the topics asked for when re-scoring one', () => {
    const matches = predictTopicMatches({ model: createTopicModel(artifact), papers, topics, hits: new Map(), only: new Set([12]) });
    expect(matches).toEqual([]);
  });

  it('stores a probability so that the ranking’s relevance of one topic is that probability', () => {
    expect(1 - Math.exp(-scoreOfProbability(0.8) / 3)).toBeCloseTo(0.8);
  });
});

describe('choosing a threshold', () => {
  it('takes the best F1, halfway to the next lower probability', () => {
    const pairs = [0.9, 0.8, 0.4, 0.3].map((probability, index) => ({ probability, positive: index < 2 }));
    expect(chooseThreshold(pairs)).toBeCloseTo(0.6);
    expect(chooseThreshold(pairs.map((pair) => ({ ...pair, positive: false })))).toBe(0.5);
  });
});

describe('loading the model', () => {
  it('names the file and the field when the artifact is invalid, as one of an older version is', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'topic-model-')), 'model.json');
    await writeFile(path, JSON.stringify({ ...artifact, version: 1 }));
    await expect(loadTopicModel({ path })).rejects.toThrow(TopicModelFileError);
    await expect(loadTopicModel({ path })).rejects.toThrow(/model\.json is invalid at version/);
    await expect(loadTopicModel({ path: join(tmpdir(), 'no-such-model.json') })).rejects.toThrow(/could not be read.*train:topics/);
  });

  it('loads the committed artifact with a model for every seed topic', async () => {
    const model = await loadTopicModel();
    expect(model.scorers.size).toBe(16);
    expect(model.vectorizer.size).toBeGreaterThan(1000);
  });

  it('moves every topic when an admin adds a term the paper uses, though the neighbours vote on the paper too', async () => {
    const model = await loadTopicModel();
    // Enough known words for the neighbours to vote (an unknown word alone would leave the regressions to decide).
    const text = model.vectorizer.vectorize({
      title: 'Zorblax: training smaller networks on image benchmarks',
      abstract: 'We apply zorblax to convolutional networks trained on image classification benchmarks and report accuracy and training cost against strong baselines.',
    });
    expect(text.indices.length).toBeGreaterThanOrEqual(model.artifact.neighbours.minTerms);
    const before = model.probabilities({ text, categories: [], hits: new Map() });
    for (const slug of model.scorers.keys()) {
      // "zorblax" added to the topic at weight 1: in the title (1.5) and the abstract (1).
      const after = model.probabilities({ text, categories: [], hits: new Map([[slug, { score: 2.5, matchedTerms: ['zorblax'] }]]) });
      expect(after.get(slug)! - before.get(slug)!, slug).toBeGreaterThan(0.05);
    }
  });
});

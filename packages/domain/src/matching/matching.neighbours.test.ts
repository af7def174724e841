import { describe, expect, it } from 'vitest';
import { strongestTerms } from './matching.features.ts';
import { blendWithVote, collectNeighbours, createNeighbourVoter } from './matching.neighbours.ts';

const training = [
  { text: { indices: [0, 1], values: [0.8, 0.6] }, topics: new Set(['diffusion-models', 'generative-models']) },
  { text: { indices: [1, 2], values: [0.6, 0.8] }, topics: new Set(['optimization']) },
  { text: { indices: [3], values: [1] }, topics: new Set(['llms']) },
];

// The test papers are a few n-grams long: every one may vote.
const neighbours = { ...collectNeighbours(training), minTerms: 1 };
const slugs = ['diffusion-models', 'generative-models', 'optimization', 'llms'];
const bySlug = (votes: Float64Array) => Object.fromEntries(slugs.map((slug, index) => [slug, votes[index]]));

describe('voting by the nearest training papers', () => {
  it('gives each topic the similarity-weighted share of the neighbours filed under it', () => {
    const votes = bySlug(createNeighbourVoter(neighbours, slugs)({ indices: [0, 1], values: [0.6, 0.8] })!);
    // Similarities 0.96 and 0.48; the paper holding only term 3 shares nothing and does not vote.
    expect(votes['diffusion-models']).toBeCloseTo(0.96 / 1.44);
    expect(votes['generative-models']).toBeCloseTo(0.96 / 1.44);
    expect(votes.optimization).toBeCloseTo(0.48 / 1.44);
    expect(votes.llms).toBe(0);
  });

  it('lets only the most similar papers vote', () => {
    const votes = createNeighbourVoter({ ...neighbours, count: 1 }, slugs)({ indices: [1, 2], values: [0.6, 0.8] })!;
    expect(bySlug(votes)).toEqual({ 'diffusion-models': 0, 'generative-models': 0, optimization: 1, llms: 0 });
  });

  it('leaves the regression alone to decide a paper that shares no term with any training paper', () => {
    const votes = createNeighbourVoter(neighbours, slugs)({ indices: [7], values: [1] });
    expect(votes).toBeUndefined();
    expect(blendWithVote({ probability: 0.7, vote: votes?.[3], share: 0.5 })).toBe(0.7);
    expect(blendWithVote({ probability: 0.7, vote: 0.1, share: 0.5 })).toBeCloseTo(0.4);
  });

  it('leaves the regression alone to decide a paper of too few known n-grams, whose neighbours would be near by chance', () => {
    const text = { indices: [0, 1], values: [0.6, 0.8] };
    expect(createNeighbourVoter({ ...neighbours, minTerms: 3 }, slugs)(text)).toBeUndefined();
    expect(createNeighbourVoter({ ...neighbours, minTerms: 2 }, slugs)(text)).toBeDefined();
  });

  it('keeps only the strongest terms of each training paper, in index order', () => {
    expect(strongestTerms({ indices: [2, 5, 9], values: [0.2, 0.9, 0.4] }, 2)).toEqual({ indices: [5, 9], values: [0.9, 0.4] });
  });
});

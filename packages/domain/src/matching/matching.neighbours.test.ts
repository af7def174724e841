import { describe, expect, it } from 'vitest';
import { strongestTerms } from './matching.features.ts';
import { blendWithVotes, collectNeighbours, createNeighbourVoter } from './matching.neighbours.ts';

const training = [
  { text: { indices: [0, 1], values: [0.8, 0.6] }, topics: new Set(['diffusion-models', 'generative-models']) },
  { text: { indices: [1, 2], values: [0.6, 0.8] }, topics: new Set(['optimization']) },
  { text: { indices: [3], values: [1] }, topics: new Set(['llms']) },
];

// The test papers are a few n-grams long: every one may vote.
const neighbours = { ...collectNeighbours(training), minTerms: 1 };

describe('voting by the nearest training papers', () => {
  it('gives each topic the similarity-weighted share of the neighbours filed under it', () => {
    const votes = createNeighbourVoter(neighbours)({ indices: [0, 1], values: [0.6, 0.8] })!;
    // Similarities 0.96 and 0.48; the paper holding only term 3 shares nothing and does not vote.
    expect(votes.get('diffusion-models')).toBeCloseTo(0.96 / 1.44);
    expect(votes.get('generative-models')).toBeCloseTo(0.96 / 1.44);
    expect(votes.get('optimization')).toBeCloseTo(0.48 / 1.44);
    expect(votes.has('llms')).toBe(false);
  });

  it('lets only the most similar papers vote', () => {
    const votes = createNeighbourVoter({ ...neighbours, count: 1 })({ indices: [1, 2], values: [0.6, 0.8] })!;
    expect([...votes]).toEqual([['optimization', 1]]);
  });

  it('leaves the regression alone to decide a paper that shares no term with any training paper', () => {
    const votes = createNeighbourVoter(neighbours)({ indices: [7], values: [1] });
    expect(votes).toBeUndefined();
    expect(blendWithVotes({ probability: 0.7, votes, slug: 'llms', share: 0.5 })).toBe(0.7);
    expect(blendWithVotes({ probability: 0.7, votes: new Map([['llms', 0.1]]), slug: 'llms', share: 0.5 })).toBeCloseTo(0.4);
  });

  it('leaves the regression alone to decide a paper of too few known n-grams, whose neighbours would be near by chance', () => {
    const text = { indices: [0, 1], values: [0.6, 0.8] };
    expect(createNeighbourVoter({ ...neighbours, minTerms: 3 })(text)).toBeUndefined();
    expect(createNeighbourVoter({ ...neighbours, minTerms: 2 })(text)).toBeDefined();
  });

  it('keeps only the strongest terms of each training paper, in index order', () => {
    expect(strongestTerms({ indices: [2, 5, 9], values: [0.2, 0.9, 0.4] }, 2)).toEqual({ indices: [5, 9], values: [0.9, 0.4] });
  });
});

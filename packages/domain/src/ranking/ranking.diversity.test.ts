import { describe, expect, it } from 'vitest';
import { createTopicDigests, groupsOf, takeWithTopicShares, topicSharesOf } from './ranking.diversity.ts';
import type { TRating } from './ranking.profile.ts';
import { seededGenerator, takeWithSharesOneByOne } from './ranking.test-oracle.ts';
import { createTopicRanker, type TMatchRow } from './ranking.topics.ts';

describe('a share per topic', () => {
  const candidates = [
    ...[0.9, 0.89, 0.88, 0.87, 0.86, 0.85].map((personal, index) => ({ paperId: 10 + index, personal })),
    { paperId: 30, personal: 0.84 },
    { paperId: 31, personal: 0.83 },
  ];
  const groupOf = (paperId: number) => (paperId >= 30 ? 2 : 1);
  const scoreOf = (paper: { personal: number }) => paper.personal;

  it('lets a reader with two topics see the second one when the first would otherwise take the whole digest', () => {
    expect(takeWithTopicShares(candidates, { digestSize: 4, scoreOf, groupOf, shareOf: () => 1 / 2 }).map((paper) => paper.paperId)).toEqual([10, 11, 30, 12]);
  });

  it('gives a topic whose papers the reader rated up a larger share than one whose papers they rated down', () => {
    // Papers 1-3 matched topic 1 best, papers 4-6 topic 2; the reader liked the first and not the second.
    const ratedTopics = new Map([1, 2, 3, 4, 5, 6].map((paperId) => [paperId, [{ listId: paperId <= 3 ? 1 : 2, score: 2.0 }]]));
    const ratings: TRating[] = [1, 2, 3, 4, 5, 6].map((paperId) => ({ paperId, rating: paperId <= 3 ? 1 : -1 }));
    const shareOf = topicSharesOf({ ratings, topicIds: [1, 2], ratedTopics });
    expect(shareOf(1)).toBeCloseTo(4 / 5);
    expect(shareOf(2)).toBeCloseTo(1 / 5);
    // With an even share the second topic's best paper comes third; with the first topic's larger share, fourth.
    expect(takeWithTopicShares(candidates, { digestSize: 4, scoreOf, groupOf, shareOf: (group) => (group === 1 ? 0.8 : 0.2) }).map((paper) => paper.paperId)).toEqual([10, 11, 12, 30]);
    expect(topicSharesOf({ ratings: [], topicIds: [1, 2], ratedTopics })(2)).toBeCloseTo(1 / 2);
  });

  it('counts a paper that matches two of the reader\'s topics equally for the lower topic id, whatever order the matches come in', () => {
    const tied = [
      { listId: 7, score: 2 },
      { listId: 3, score: 2 },
      { listId: 9, score: 1 },
    ];
    expect(groupsOf([3, 7, 9], () => tied)!(1)).toBe(3);
    expect(groupsOf([3, 7, 9], () => [...tied].reverse())!(1)).toBe(3);
    expect(groupsOf([7, 9], () => tied)!(1)).toBe(7);
    // A rating of that paper counts for topic 3 either way.
    const shareOf = topicSharesOf({ ratings: [{ paperId: 1, rating: -1 }], topicIds: [3, 7], ratedTopics: new Map([[1, tied]]) });
    expect(shareOf(3)).toBeLessThan(shareOf(7));
  });

  it('leaves a reader with one topic in plain score order', () => {
    expect(takeWithTopicShares(candidates, { digestSize: 4, scoreOf, shareOf: () => 1 }).map((paper) => paper.paperId)).toEqual([10, 11, 12, 13]);
  });
});

describe('the digest of a reader who has not rated anything', () => {
  // Topic 1 brings six papers (ids 1-6), topic 2 four nearly as good (ids 11-14) and topic 3 four
  // far weaker (ids 21-24); nobody upvoted any. Ranks: topic 1 about 0.49, topic 2 about 0.47, topic 3 0.16.
  const topicMatches: TMatchRow[] = [
    ...[1, 2, 3, 4, 5, 6].map((paperId) => ({ listId: 1, paperId, score: 3.6 - paperId * 0.01, upvotes: 0 })),
    ...[11, 12, 13, 14].map((paperId) => ({ listId: 2, paperId, score: 3.3 - paperId * 0.001, upvotes: 0 })),
    ...[21, 22, 23, 24].map((paperId) => ({ listId: 3, paperId, score: 0.8, upvotes: 0 })),
  ];
  const ranker = createTopicRanker({ topicMatches, keywordMatches: [] });
  const topicOf = (paperId: number) => Math.floor(paperId / 10) + 1;

  it('gives a second topic with papers nearly as good its place, though the first fills the plain ranking', () => {
    expect(ranker.rankedFor({ topicIds: '1,2', keywordIds: '' }).slice(0, 4).map((paper) => paper.paperId)).toEqual([1, 2, 3, 4]);
    const digest = createTopicDigests(ranker)({ topicIds: '1,2', keywordIds: '', digestSize: 4 });
    expect(digest.map(topicOf).sort()).toEqual([1, 1, 2, 2]);
  });

  it('does not fill places with a topic whose papers rank far below', () => {
    expect(createTopicDigests(ranker)({ topicIds: '1,3', keywordIds: '', digestSize: 4 })).toEqual([1, 2, 3, 4]);
  });

  it('leaves a reader of one topic with the plain ranking, and skips papers a reader already received', () => {
    const topicDigestOf = createTopicDigests(ranker);
    expect(topicDigestOf({ topicIds: '1', keywordIds: '', digestSize: 3 })).toEqual([1, 2, 3]);
    expect(topicDigestOf({ topicIds: '1', keywordIds: '', digestSize: 3, received: new Set([2]) })).toEqual([1, 3, 4]);
    const digest = topicDigestOf({ topicIds: '1,2', keywordIds: '', digestSize: 4, received: new Set([1, 11]) });
    expect(digest).toHaveLength(4);
    expect(digest).not.toContain(1);
    expect(digest).not.toContain(11);
  });
});

describe('the share greedy', () => {
  it('chooses what valuing every candidate at every step would, ties included', () => {
    const { next } = seededGenerator(20_261_201);
    for (let draw = 0; draw < 2_000; draw += 1) {
      const digestSize = [5, 10, 20][draw % 3]!;
      const groups = 1 + Math.floor(next() * 4);
      // Scores on a coarse grid half the time, so that equal values are common.
      const coarse = draw % 2 === 0;
      const scored = Array.from({ length: 1 + Math.floor(next() * 70) }, (_, index) => ({ paperId: index + 1, score: coarse ? Math.round(next() * 10) / 10 : next() }))
        .sort((a, b) => b.score - a.score || b.paperId - a.paperId);
      const groupOfPaper = new Map(scored.map((paper) => [paper.paperId, Math.floor(next() * groups) - 1]));
      const shares = Array.from({ length: groups + 1 }, () => 0.05 + next());
      const shareOf = (group: number) => shares[group + 1]!;
      const scoreOf = (paper: { score: number }) => paper.score;
      const chosen = takeWithTopicShares(scored, { digestSize, scoreOf, groupOf: (paperId) => groupOfPaper.get(paperId)!, shareOf });
      const oneByOne = takeWithSharesOneByOne(scored, { digestSize, scoreOf, groupOf: (paper) => groupOfPaper.get(paper.paperId)!, shareOf });
      expect({ draw, chosen: chosen.map((paper) => paper.paperId) }).toEqual({ draw, chosen: oneByOne.map((paper) => paper.paperId) });
    }
  });
});

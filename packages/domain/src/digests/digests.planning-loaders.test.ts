import { paperRatings, subscriberSeedPapers } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { describe, expect, it } from 'vitest';
import { loadRatings, planningScope } from './digests.planning-loaders.ts';
import { insertDigestFixture } from './digests.test-fixtures.ts';

const MINUTE = 60_000;

describe('the ratings that shape a profile', () => {
  const context = useTestContext();

  it('are each reader’s latest 100, newest first, with the papers they named as liked counting as rated up unless they rated them', async () => {
    const { db } = context.database;
    const now = Date.now();
    const arxivId = (index: number) => `2610.${String(index).padStart(5, '0')}`;
    const fixture = await insertDigestFixture({
      db,
      topicSlugs: ['ml'],
      paperList: Array.from({ length: 110 }, (_, index) => ({ arxivId: arxivId(index + 1), upvotes: 0 })),
      subscriberList: [
        { email: 'rater@example.org', topics: ['ml'] },
        { email: 'other@example.org', topics: ['ml'] },
      ],
    });
    const rater = fixture.subscriberId.get('rater@example.org')!;
    const other = fixture.subscriberId.get('other@example.org')!;
    const paperId = (index: number) => fixture.paperId.get(arxivId(index))!;
    // Papers 1–105 rated in turn, every third one down; 104 and 105 at the same moment (the
    // higher paper id first). Named as liked: 107, newest of all; 106, rated down afterwards;
    // 108, rated down before it was named (between papers 9 and 10: the rating stands whenever it
    // was given); and a paper not yet fetched (no paper id).
    const ratedAt = (index: number) => new Date(now - 300 * MINUTE + Math.min(index, 104) * MINUTE);
    await db.insert(paperRatings).values([
      ...Array.from({ length: 105 }, (_, k) => ({ subscriberId: rater, paperId: paperId(k + 1), rating: (k + 1) % 3 === 0 ? -1 : 1, ratedAt: ratedAt(k + 1) })),
      { subscriberId: rater, paperId: paperId(106), rating: -1, ratedAt: new Date(now - 10 * MINUTE) },
      { subscriberId: rater, paperId: paperId(108), rating: -1, ratedAt: new Date(now - 290.5 * MINUTE) },
      { subscriberId: other, paperId: paperId(1), rating: -1, ratedAt: new Date(now - 5 * MINUTE) },
      { subscriberId: other, paperId: paperId(2), rating: 1, ratedAt: new Date(now - 6 * MINUTE) },
    ]);
    await db.insert(subscriberSeedPapers).values([
      { subscriberId: rater, arxivId: arxivId(106), paperId: paperId(106), addedAt: new Date(now - 20 * MINUTE) },
      { subscriberId: rater, arxivId: arxivId(107), paperId: paperId(107), addedAt: new Date(now - MINUTE) },
      { subscriberId: rater, arxivId: arxivId(108), paperId: paperId(108), addedAt: new Date(now - 2 * MINUTE) },
      { subscriberId: rater, arxivId: '2601.99999', paperId: null, addedAt: new Date(now) },
    ]);

    const scope = planningScope({ frequency: 'weekly', periodStart: new Date(now - 7 * 86_400_000), periodEnd: new Date(now), now: new Date(now) });
    const ratings = await loadRatings({ db, scope });

    const newestFirst = [107, 106, 105, 104, ...Array.from({ length: 94 }, (_, k) => 103 - k), 108, 9, 8];
    const signOf = (index: number) => (index === 107 ? 1 : index === 106 || index === 108 || index % 3 === 0 ? -1 : 1);
    expect(ratings.get(rater)).toEqual(newestFirst.slice(0, 100).map((index) => ({ paperId: paperId(index), rating: signOf(index) })));
    expect(ratings.get(other)).toEqual([
      { paperId: paperId(1), rating: -1 },
      { paperId: paperId(2), rating: 1 },
    ]);
    expect(ratings.size).toBe(2);
  });
});

import { paperRatings, subscriberSeedPapers } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { describe, expect, it } from 'vitest';
import { loadRatings, planningScope } from './digests.planning-loaders.ts';
import { insertDigestFixture } from './digests.test-fixtures.ts';

const MINUTE = 60_000;

describe('the ratings that shape a profile', () => {
  const context = useTestContext();

  it('are the latest 100, newest first, with a paper named as liked counting as rated up unless rated since', async () => {
    const { db } = context.database;
    const now = Date.now();
    const arxivId = (index: number) => `2610.${String(index).padStart(5, '0')}`;
    const fixture = await insertDigestFixture({
      db,
      topicSlugs: ['ml'],
      paperList: Array.from({ length: 110 }, (_, index) => ({ arxivId: arxivId(index + 1), upvotes: 0 })),
      subscriberList: [{ email: 'rater@example.org', topics: ['ml'] }],
    });
    const subscriberId = fixture.subscriberId.get('rater@example.org')!;
    const paperId = (index: number) => fixture.paperId.get(arxivId(index))!;
    // Papers 1–105 rated in turn, every third one down; 104 and 105 at the same moment (the
    // higher paper id first). Paper 107, named as liked, newest of all; 106 named too but rated
    // down later, so the rating stands.
    const ratedAt = (index: number) => new Date(now - 200 * MINUTE + Math.min(index, 104) * MINUTE);
    await db.insert(paperRatings).values(
      Array.from({ length: 105 }, (_, k) => ({ subscriberId, paperId: paperId(k + 1), rating: (k + 1) % 3 === 0 ? -1 : 1, ratedAt: ratedAt(k + 1) })),
    );
    await db.insert(paperRatings).values({ subscriberId, paperId: paperId(106), rating: -1, ratedAt: new Date(now - 10 * MINUTE) });
    await db.insert(subscriberSeedPapers).values([
      { subscriberId, arxivId: arxivId(106), paperId: paperId(106), addedAt: new Date(now - 20 * MINUTE) },
      { subscriberId, arxivId: arxivId(107), paperId: paperId(107), addedAt: new Date(now - MINUTE) },
    ]);

    const scope = planningScope({ frequency: 'weekly', periodStart: new Date(now - 7 * 86_400_000), periodEnd: new Date(now), now: new Date(now) });
    const ratings = (await loadRatings({ db, scope })).get(subscriberId);

    const expected = [
      { paperId: paperId(107), rating: 1 },
      { paperId: paperId(106), rating: -1 },
      ...[105, 104, ...Array.from({ length: 103 }, (_, k) => 103 - k)].map((index) => ({ paperId: paperId(index), rating: index % 3 === 0 ? -1 : 1 })),
    ].slice(0, 100);
    expect(ratings).toEqual(expected);
  });
});

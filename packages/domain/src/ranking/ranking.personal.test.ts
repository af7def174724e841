import { deliveries, paperRatings, subscriberSeedPapers } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertDigestFixture, type TFixturePaper } from '../digests/digests.test-fixtures.ts';
import { createRun } from '../digests/digests.usecases.ts';

const DAY = 24 * 3_600_000;
const SETTINGS = { lookbackDays: { weekly: 7, daily: 1 }, maxFailureRatio: 0.1 };

const DECODING = 'Speculative decoding with a small draft model raises token acceptance and cuts latency of autoregressive generation.';
const FOLDING = 'Protein structure prediction from amino acid sequences with equivariant networks and residue contact maps.';

/** Papers on two themes under one topic: decoding papers match weakly and have few upvotes, folding papers the reverse. */
function paper(theme: 'decoding' | 'folding', index: number, ingestedAt: Date): TFixturePaper {
  const isDecoding = theme === 'decoding';
  return {
    arxivId: `26${isDecoding ? '10' : '20'}.${String(index).padStart(5, '0')}`,
    title: isDecoding ? `Faster speculative decoding, part ${index}` : `Protein folding, part ${index}`,
    abstract: `${isDecoding ? DECODING : FOLDING} Study ${index}.`,
    upvotes: isDecoding ? 5 : 400,
    topics: { ml: isDecoding ? 2 : 3 },
    ingestedAt,
  };
}

describe('the personal ranking of readers who rated papers', () => {
  const context = useTestContext();
  let fixture: Awaited<ReturnType<typeof insertDigestFixture>>;
  let planned: Map<string, { paperIds: number[]; likedPaperIds: number[] }>;

  beforeAll(async () => {
    const { db } = context.database;
    const now = Date.now();
    const past = new Date(now - 30 * DAY);
    const fresh = new Date(now - DAY);
    fixture = await insertDigestFixture({
      db,
      topicSlugs: ['ml'],
      paperList: [
        ...[1, 2, 3, 4].flatMap((index) => [paper('decoding', index, past), paper('folding', index, past)]),
        ...[11, 12, 13, 14, 15, 16].flatMap((index) => [paper('decoding', index, fresh), paper('folding', index, fresh)]),
      ],
      subscriberList: [
        { email: 'rater@example.org', topics: ['ml'], digestSize: 5 },
        { email: 'plain@example.org', topics: ['ml'], digestSize: 5 },
        { email: 'seeded@example.org', topics: ['ml'], digestSize: 10 },
      ],
    });
    const rater = fixture.subscriberId.get('rater@example.org')!;
    const ratings = [
      ...[1, 2, 3, 4].map((index) => ({ arxivId: `2610.${String(index).padStart(5, '0')}`, rating: 1 })),
      ...[1, 2, 3, 4, 11].map((index) => ({ arxivId: `2620.${String(index).padStart(5, '0')}`, rating: -1 })),
    ];
    await db.insert(paperRatings).values(ratings.map(({ arxivId, rating }) => ({ subscriberId: rater, paperId: fixture.paperId.get(arxivId)!, rating })));
    await db.insert(subscriberSeedPapers).values({
      subscriberId: fixture.subscriberId.get('seeded@example.org')!,
      arxivId: '2610.00001',
      paperId: fixture.paperId.get('2610.00001')!,
    });
    const { run } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, now: new Date(), settings: SETTINGS });
    const rows = await db.select().from(deliveries).where(eq(deliveries.runId, run.id));
    planned = new Map(rows.map((row) => [row.subscriberId, { paperIds: row.paperIds, likedPaperIds: row.likedPaperIds }]));
  });

  const arxivIdsOf = (ids: number[]) => ids.map((id) => [...fixture.paperId].find(([, paperId]) => paperId === id)![0]);

  it('fills the digest of a reader who liked decoding papers with decoding papers, though folding ranks higher on topic and upvotes', () => {
    const plain = planned.get(fixture.subscriberId.get('plain@example.org')!)!;
    expect(arxivIdsOf(plain.paperIds).every((arxivId) => arxivId.startsWith('2620.'))).toBe(true);
    const rater = planned.get(fixture.subscriberId.get('rater@example.org')!)!;
    expect(arxivIdsOf(rater.paperIds)).toHaveLength(5);
    expect(arxivIdsOf(rater.paperIds).every((arxivId) => arxivId.startsWith('2610.'))).toBe(true);
  });

  it('never plans a paper the reader rated down, and names a paper they rated up for each paper it brought', () => {
    const rater = planned.get(fixture.subscriberId.get('rater@example.org')!)!;
    expect(rater.paperIds).not.toContain(fixture.paperId.get('2620.00011'));
    const likedArxivIds = arxivIdsOf(rater.likedPaperIds);
    expect(likedArxivIds).toHaveLength(rater.paperIds.length);
    expect(likedArxivIds.every((arxivId) => ['2610.00001', '2610.00002', '2610.00003', '2610.00004'].includes(arxivId))).toBe(true);
    expect(planned.get(fixture.subscriberId.get('plain@example.org')!)!.likedPaperIds).toEqual([]);
  });

  it('counts a paper the reader named as liked as rated up', () => {
    const seeded = planned.get(fixture.subscriberId.get('seeded@example.org')!)!;
    const seedId = fixture.paperId.get('2610.00001')!;
    expect(seeded.likedPaperIds.filter((id) => id === seedId).length).toBeGreaterThan(0);
    expect(seeded.paperIds).not.toContain(seedId);
  });
});

describe('a paper rated down long ago', () => {
  const context = useTestContext();

  it('is never planned, however many papers the reader rated since', async () => {
    const { db } = context.database;
    const now = Date.now();
    const fresh = new Date(now - DAY);
    // The reader rated down this week's best folding paper, then rated up 100 older decoding papers.
    const older = Array.from({ length: 100 }, (_, index) => paper('decoding', 100 + index, new Date(now - 60 * DAY)));
    const fixture = await insertDigestFixture({
      db,
      topicSlugs: ['ml'],
      paperList: [paper('folding', 1, fresh), paper('decoding', 1, fresh), ...older],
      subscriberList: [{ email: 'long-rater@example.org', topics: ['ml'], digestSize: 5 }],
    });
    const subscriberId = fixture.subscriberId.get('long-rater@example.org')!;
    const disliked = fixture.paperId.get('2620.00001')!;
    await db.insert(paperRatings).values({ subscriberId, paperId: disliked, rating: -1, ratedAt: new Date(now - 50 * DAY) });
    await db.insert(paperRatings).values(
      older.map((item, index) => ({ subscriberId, paperId: fixture.paperId.get(item.arxivId)!, rating: 1, ratedAt: new Date(now - 40 * DAY + index * 60_000) })),
    );

    const { run } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, now: new Date(), settings: SETTINGS });
    const [delivery] = await db.select().from(deliveries).where(eq(deliveries.runId, run.id));
    expect(delivery?.paperIds).toEqual([fixture.paperId.get('2610.00001')]);
  });
});

import { deliveries, sentPapers, type TDb } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { findCandidates, seededGenerator, takeWithSharesOneByOne, type TCandidate } from '../ranking/ranking.test-oracle.ts';
import { createDigestsRepository } from './digests.repository.ts';
import { periodFor } from './digests.periods.ts';
import { planDeliveries } from './digests.planning.ts';
import { insertDigestFixture, type TFixturePaper, type TFixtureSubscriber } from './digests.test-fixtures.ts';
import { createRun } from './digests.usecases.ts';

const DAY = 24 * 3_600_000;
const TOPICS = ['llms', 'diffusion', 'robotics', 'vision'];
const PHRASES = ['speculative decoding', 'kv cache', 'world models'];

describe('planning', () => {
  const context = useTestContext();

  it('gives every subscriber the head of their own ranking, topics and keywords merged, minus what they already received, a share per topic', async () => {
    const random = seededGenerator(20_261_127);
    const now = Date.now();
    // Few enough papers that no list is cut at 30: the planner's merged lists must then agree
    // with the per-subscriber ranking findCandidates computes in SQL.
    const paperList: TFixturePaper[] = Array.from({ length: 24 }, (_, index) => ({
      arxivId: `2611.${String(index + 1).padStart(5, '0')}`,
      upvotes: Math.floor(random.next() * 500),
      topics: Object.fromEntries(random.pick(TOPICS, 0.35).map((slug) => [slug, Math.round(random.next() * 60) / 10])),
      keywords: Object.fromEntries(random.pick(PHRASES, 0.25).map((phrase) => [phrase, Math.round(random.next() * 60) / 10])),
      ingestedAt: new Date(now - random.next() * 5 * DAY),
    }));
    const subscriberList: TFixtureSubscriber[] = Array.from({ length: 40 }, (_, index) => ({
      email: `reader${index}@example.org`,
      topics: random.pick(TOPICS, 0.4),
      keywords: random.pick(PHRASES, 0.3),
      digestSize: ([5, 10, 20] as const)[index % 3],
    }));
    const { db } = context.database;
    const fixture = await insertDigestFixture({ db, topicSlugs: TOPICS, paperList, subscriberList });

    // Two readers already received a paper of this period: it must not come again.
    const earlier = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, now: new Date(), settings: SETTINGS });
    const earlierRows = await db.select().from(deliveries).where(eq(deliveries.runId, earlier.run.id));
    for (const row of earlierRows.slice(0, 2)) {
      await db.insert(sentPapers).values({ subscriberId: row.subscriberId, paperId: row.paperIds[0]!, deliveryId: row.id });
    }

    // Forced: the earlier run's digests are this week's, and would otherwise keep everyone out.
    const { run } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, force: true, now: new Date(), settings: SETTINGS });
    const planned = new Map((await db.select().from(deliveries).where(eq(deliveries.runId, run.id))).map((row) => [row.subscriberId, row.paperIds]));

    const since = new Date(now - 7 * DAY);
    let compared = 0;
    let reordered = 0;
    for (const subscriber of subscriberList) {
      const subscriberId = fixture.subscriberId.get(subscriber.email)!;
      const { expected, head } = await expectedDigest({ db, subscriberId, since, digestSize: subscriber.digestSize!, topicCount: subscriber.topics!.length, topicIdOf: fixture.topicId });
      if (expected.join() !== head.join()) reordered += 1;
      expect({ subscriber: subscriber.email, papers: planned.get(subscriberId) ?? [] }).toEqual({ subscriber: subscriber.email, papers: expected });
      if (expected.length > 1) compared += 1;
    }
    // The audience really exercises merging: readers with topics and keywords, and several papers each.
    expect(subscriberList.filter((s) => s.topics!.length > 0 && s.keywords!.length > 0).length).toBeGreaterThan(5);
    expect(compared).toBeGreaterThan(20);
    // And the shares: some reader of several topics gets a digest that is not the plain head.
    expect(reordered).toBeGreaterThan(0);

    // Ranked and stored three readers at a time, the plan is the same, and so is its count.
    const chunked = await planInChunks({ db, readersPerChunk: 3 });
    expect(chunked.planned).toBe(planned.size);
    expect(chunked.digests).toEqual(planned);
  });
});

async function planInChunks({ db, readersPerChunk }: { db: TDb; readersPerChunk: number }) {
  const now = new Date();
  const period = periodFor({ frequency: 'weekly', now, lookbackDays: SETTINGS.lookbackDays.weekly });
  return db.transaction(async (tx) => {
    const { run } = await createDigestsRepository({ db: tx }).insertRun({
      values: { frequency: 'weekly', trigger: 'admin', isDryRun: false, isForced: true, periodKey: period.key, periodStart: period.start, periodEnd: period.end, maxFailureRatio: 0.1 },
    });
    const { planned } = await planDeliveries({ db: tx, runId: run!.id, frequency: 'weekly', periodStart: period.start, periodEnd: period.end, now, readersPerChunk });
    const rows = await tx.select().from(deliveries).where(eq(deliveries.runId, run!.id));
    return { planned, digests: new Map(rows.map((row) => [row.subscriberId, row.paperIds])) };
  });
}

// The planner's rule, written again for the test: the candidates a reader of several topics
// chooses from are the best 30, or three digests' worth when that is more.
const candidateCount = (digestSize: number) => Math.max(3 * digestSize, 30);

/**
 * What the planner must choose, from the SQL ranking: the head of the list for a reader of one
 * topic; for a reader of several, the best candidates taken with an even share per topic, each
 * paper counted for the reader's topic it matches best (ties to the lower topic id).
 */
async function expectedDigest({
  db,
  subscriberId,
  since,
  digestSize,
  topicCount,
  topicIdOf,
}: {
  db: TDb;
  subscriberId: string;
  since: Date;
  digestSize: number;
  topicCount: number;
  topicIdOf: Map<string, number>;
}): Promise<{ expected: number[]; head: number[] }> {
  const candidates = await findCandidates({ db, subscriberId, since, limit: candidateCount(digestSize) });
  const head = candidates.slice(0, digestSize).map((candidate) => candidate.paperId);
  if (topicCount < 2) return { expected: head, head };
  const chosen = takeWithSharesOneByOne(candidates, {
    digestSize,
    scoreOf: (candidate) => candidate.rank,
    groupOf: (candidate) => bestTopic(candidate, topicIdOf),
    shareOf: () => 1 / topicCount,
  });
  return { expected: chosen.map((candidate) => candidate.paperId), head };
}

function bestTopic(candidate: TCandidate, topicIdOf: Map<string, number>): number {
  const scored = candidate.reasons.filter((reason) => reason.kind === 'topic').map((reason) => ({ id: topicIdOf.get(reason.slug!)!, score: reason.score }));
  scored.sort((a, b) => b.score - a.score || a.id - b.id);
  return scored[0]?.id ?? -1;
}

const SETTINGS = { lookbackDays: { weekly: 7, daily: 1 }, maxFailureRatio: 0.1 };

import { deliveries, digestRuns, sentPapers } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDigestsRepository } from './digests.repository.ts';
import { insertDigestFixture } from './digests.test-fixtures.ts';
import { cancelRun, createRun, pauseRun, resumeRun, startRun, type TRunSettings } from './digests.usecases.ts';

const settings: TRunSettings = { lookbackDays: { weekly: 7, daily: 1 }, maxFailureRatio: 0.1 };
const DAY = 24 * 3_600_000;

describe('digest runs', () => {
  const context = useTestContext();
  let fixture: Awaited<ReturnType<typeof insertDigestFixture>>;

  beforeAll(async () => {
    const now = Date.now();
    fixture = await insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['llms', 'diffusion'],
      paperList: [
        // Strong match, few upvotes: must beat the weak match with many (README, "Matching").
        { arxivId: '2611.00001', upvotes: 3, topics: { llms: 6 } },
        { arxivId: '2611.00002', upvotes: 400, topics: { llms: 1.5 } },
        { arxivId: '2611.00003', upvotes: 40, topics: { llms: 3, diffusion: 3 } },
        { arxivId: '2611.00004', upvotes: 10, topics: { diffusion: 5.4 }, keywords: { 'speculative decoding': 4.8 } },
        // Older than the weekly window: never "new".
        { arxivId: '2611.00005', upvotes: 999, topics: { llms: 6 }, ingestedAt: new Date(now - 9 * DAY) },
      ],
      subscriberList: [
        { email: 'llm@example.org', topics: ['llms'] },
        { email: 'both@example.org', topics: ['llms', 'diffusion'], digestSize: 5 },
        { email: 'keyword@example.org', keywords: ['speculative decoding'] },
        { email: 'pending@example.org', status: 'pending', topics: ['llms'] },
        { email: 'gone@example.org', status: 'unsubscribed', topics: ['llms'] },
        { email: 'paused@example.org', topics: ['llms'], pausedUntil: new Date(now + 14 * DAY) },
        { email: 'daily@example.org', frequency: 'daily', topics: ['llms'] },
        { email: 'nothing@example.org', topics: [] },
      ],
    });
  });

  async function paperIdsFor(runId: string, email: string) {
    const rows = await context.database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.runId, runId));
    return rows.find((row) => row.subscriberId === fixture.subscriberId.get(email))?.paperIds;
  }

  it('a dry run reports who would receive what and records no deliveries', async () => {
    const { run } = await createRun({ db: context.database.db, frequency: 'weekly', trigger: 'admin', isDryRun: true, now: new Date(), settings });
    expect(run).toMatchObject({ isDryRun: true, state: 'done', plannedCount: 3, skippedCount: 1 });
    const rows = await context.database.db.select().from(deliveries).where(eq(deliveries.runId, run.id));
    expect(rows).toHaveLength(0);
  });

  it('plans one delivery per eligible subscriber, papers in rank order', async () => {
    const { run, isNew } = await createRun({ db: context.database.db, frequency: 'weekly', trigger: 'admin', isDryRun: false, now: new Date(), settings });
    expect(isNew).toBe(true);
    // Eligible: the four confirmed, unpaused weekly subscribers; "nothing" has no topics and is skipped.
    expect(run).toMatchObject({ state: 'planned', plannedCount: 3, skippedCount: 1 });
    const id = (arxivId: string) => fixture.paperId.get(arxivId);

    expect(await paperIdsFor(run.id, 'llm@example.org')).toEqual([id('2611.00001'), id('2611.00003'), id('2611.00002')]);
    expect(await paperIdsFor(run.id, 'both@example.org')).toEqual([id('2611.00003'), id('2611.00004'), id('2611.00001'), id('2611.00002')]);
    expect(await paperIdsFor(run.id, 'keyword@example.org')).toEqual([id('2611.00004')]);

    for (const email of ['pending@example.org', 'gone@example.org', 'paused@example.org', 'daily@example.org', 'nothing@example.org']) {
      expect(await paperIdsFor(run.id, email)).toBeUndefined();
    }
  });

  it('respects each subscriber’s digest size', async () => {
    // Forced: the run above already has this week's digests waiting for these readers.
    const { run } = await createRun({ db: context.database.db, frequency: 'weekly', trigger: 'admin', isDryRun: true, force: true, now: new Date(), settings });
    expect(run.plannedCount).toBe(3);
    const { run: real } = await createRun({ db: context.database.db, frequency: 'daily', trigger: 'admin', isDryRun: false, now: new Date(), settings });
    // Daily looks back one day: the daily subscriber gets the three fresh llms papers.
    expect(real.plannedCount).toBe(1);
    expect(await paperIdsFor(real.id, 'daily@example.org')).toHaveLength(3);
  });

  it('leaves out papers a subscriber already received', async () => {
    const { db } = context.database;
    // Forced, both: these readers already have this week's digest from the runs above.
    const { run: earlier } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, force: true, now: new Date(), settings });
    const [delivery] = await db.select().from(deliveries).where(eq(deliveries.runId, earlier.id));
    await db.insert(sentPapers).values({
      subscriberId: fixture.subscriberId.get('llm@example.org')!,
      paperId: fixture.paperId.get('2611.00001')!,
      deliveryId: delivery!.id,
    });
    const { run } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, force: true, now: new Date(), settings });
    expect(await paperIdsFor(run.id, 'llm@example.org')).toEqual([fixture.paperId.get('2611.00003'), fixture.paperId.get('2611.00002')]);
  });

  it('a scheduler firing twice in one period creates one run', async () => {
    const { db } = context.database;
    const now = new Date();
    const [first, second] = await Promise.all([
      createRun({ db, frequency: 'weekly', trigger: 'schedule', isDryRun: false, now, settings }),
      createRun({ db, frequency: 'weekly', trigger: 'schedule', isDryRun: false, now: new Date(now.getTime() + 1_000), settings }),
    ]);
    expect(first.run.id).toBe(second.run.id);
    expect([first.isNew, second.isNew].sort()).toEqual([false, true]);
    const scheduled = await db.select().from(digestRuns).where(eq(digestRuns.trigger, 'schedule'));
    expect(scheduled).toHaveLength(1);
  });

  it('moves through its states only along allowed transitions', async () => {
    const { db } = context.database;
    const enqueued: string[] = [];
    const enqueueSends = ({ deliveries: items }: { deliveries: { deliveryId: string }[] }) => {
      enqueued.push(...items.map((item) => item.deliveryId));
      return Promise.resolve();
    };
    const { run } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, force: true, now: new Date(), settings });
    expect(run.plannedCount).toBe(3);
    await expect(resumeRun({ db, runId: run.id, enqueueSends, now: new Date() })).rejects.toMatchObject({ status: 409 });
    await startRun({ db, runId: run.id, enqueueSends, now: new Date() });
    expect(enqueued).toHaveLength(run.plannedCount);
    await pauseRun({ db, runId: run.id, reason: 'checking' });
    await resumeRun({ db, runId: run.id, enqueueSends, now: new Date() });
    expect(enqueued).toHaveLength(run.plannedCount * 2);
    const { run: cancelled } = await cancelRun({ db, runId: run.id, now: new Date() });
    expect(cancelled.state).toBe('cancelled');
    const { counts } = await createDigestsRepository({ db }).countDeliveries({ runId: run.id });
    expect(counts).toMatchObject({ pending: 0, cancelled: run.plannedCount });
    await expect(pauseRun({ db, runId: run.id, reason: 'x' })).rejects.toMatchObject({ code: 'digests.run_state_conflict' });
  });
});

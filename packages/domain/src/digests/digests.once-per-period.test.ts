import { deliveries } from '@paperboy/db';
import { lockWaitOrSettled, useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDigestsRepository } from './digests.repository.ts';
import { insertDigestFixture } from './digests.test-fixtures.ts';
import { createRun, type TRunSettings } from './digests.usecases.ts';

// Two weeks back, so a run next week still sees this week's papers.
const settings: TRunSettings = { lookbackDays: { weekly: 14, daily: 1 }, maxFailureRatio: 0.1 };
const DAY = 24 * 3_600_000;

describe('one digest per reader per period', () => {
  const context = useTestContext();
  let fixture: Awaited<ReturnType<typeof insertDigestFixture>>;
  // Today: a digest is marked sent at the database's now(), so the runs are dated around it.
  const today = new Date();
  const nextWeek = new Date(today.getTime() + 7 * DAY);

  beforeAll(async () => {
    fixture = await insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['llms'],
      // Seven papers for a reader who takes five: two are left over.
      paperList: Array.from({ length: 7 }, (_, index) => ({
        arxivId: `2611.0010${index}`,
        upvotes: 10,
        topics: { llms: 10 - index },
        ingestedAt: new Date(today.getTime() - DAY),
      })),
      subscriberList: [
        { email: 'mailed@example.org', topics: ['llms'], digestSize: 5 },
        { email: 'joined-later@example.org', topics: ['llms'], digestSize: 5 },
      ],
    });
  });

  async function sendRun(runId: string, now: Date) {
    const repository = createDigestsRepository({ db: context.database.db });
    await repository.transitionRun({ runId, from: ['planned'], to: 'sending' });
    const rows = await context.database.db.select().from(deliveries).where(eq(deliveries.runId, runId));
    await repository.claimDeliveries({ deliveryIds: rows.map((row) => row.id), leaseExpiredBefore: now });
    await repository.markSent({ sent: rows.map((row) => ({ deliveryId: row.id, messageId: `<digest-${row.id}@test>`, smtpResponse: '250 ok' })) });
  }

  const paperIdsFor = async (runId: string, email: string) =>
    (await context.database.db.select().from(deliveries).where(eq(deliveries.runId, runId))).find((row) => row.subscriberId === fixture.subscriberId.get(email))
      ?.paperIds;

  it('a second run in the same week skips a reader already mailed, says so in its dry run, and mails them only when forced', async () => {
    const { db } = context.database;
    const { run: first } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, now: today, settings });
    expect(first.plannedCount).toBe(2);
    // Only the first reader's digest went out before the second run.
    const [late] = await db.select().from(deliveries).where(eq(deliveries.subscriberId, fixture.subscriberId.get('joined-later@example.org')!));
    await db.delete(deliveries).where(eq(deliveries.id, late!.id));
    await sendRun(first.id, today);

    const later = new Date();
    const { run: dry } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: true, now: later, settings });
    expect(dry).toMatchObject({ plannedCount: 1, alreadyMailedCount: 1 });

    const { run: second } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, now: later, settings });
    expect(second).toMatchObject({ plannedCount: 1, alreadyMailedCount: 1, isForced: false });
    expect(await paperIdsFor(second.id, 'mailed@example.org')).toBeUndefined();

    const { run: forced } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: true, force: true, now: later, settings });
    expect(forced).toMatchObject({ plannedCount: 2, alreadyMailedCount: 0, isForced: true });
  });

  it('papers left over because of the digest size wait for the next period, and the ones sent never come back', async () => {
    const { db } = context.database;
    const { run: thisWeek } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: true, now: today, settings });
    // The reader mailed, and the one whose digest from the second run above waits to be sent.
    expect(thisWeek.alreadyMailedCount).toBe(2);
    const { run: next } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, now: nextWeek, settings });
    expect(next.alreadyMailedCount).toBe(0);
    const id = (index: number) => fixture.paperId.get(`2611.0010${index}`);
    // The first five went out last week; the two that did not fit come now.
    expect(await paperIdsFor(next.id, 'mailed@example.org')).toEqual([id(5), id(6)]);
  });
});

describe('a digest planned but not yet sent counts as this period’s', () => {
  const context = useTestContext();
  let fixture: Awaited<ReturnType<typeof insertDigestFixture>>;
  const today = new Date();
  const readers = ['queued@example.org', 'in-flight@example.org', 'cancelled@example.org', 'latecomer@example.org'];

  beforeAll(async () => {
    fixture = await insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['llms'],
      paperList: [{ arxivId: '2611.00200', upvotes: 10, topics: { llms: 10 }, ingestedAt: new Date(today.getTime() - DAY) }],
      subscriberList: readers.map((email) => ({ email, topics: ['llms'] })),
    });
  });

  const deliveryOf = async (email: string) =>
    (await context.database.db.select().from(deliveries).where(eq(deliveries.subscriberId, fixture.subscriberId.get(email)!)))[0]!;

  it('a second run created while the first one’s deliveries are still pending or sending skips those readers', async () => {
    const { db } = context.database;
    const repository = createDigestsRepository({ db });
    const { run: first } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, now: today, settings });
    expect(first.plannedCount).toBe(4);
    // The first run is under way: one digest is being sent, one waits, one was cancelled, one reader came later.
    await repository.transitionRun({ runId: first.id, from: ['planned'], to: 'sending' });
    await repository.claimDeliveries({ deliveryIds: [(await deliveryOf('in-flight@example.org')).id], leaseExpiredBefore: today });
    await db.update(deliveries).set({ state: 'cancelled' }).where(eq(deliveries.id, (await deliveryOf('cancelled@example.org')).id));
    await db.delete(deliveries).where(eq(deliveries.id, (await deliveryOf('latecomer@example.org')).id));

    const { run: dry } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: true, now: new Date(), settings });
    expect(dry).toMatchObject({ plannedCount: 2, alreadyMailedCount: 2 });
    const { run: second } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, now: new Date(), settings });
    expect(second).toMatchObject({ plannedCount: 2, alreadyMailedCount: 2 });
    const planned = await db.select().from(deliveries).where(eq(deliveries.runId, second.id));
    expect(planned.map((row) => row.subscriberId).sort()).toEqual(
      ['cancelled@example.org', 'latecomer@example.org'].map((email) => fixture.subscriberId.get(email)).sort(),
    );
  });
});

describe('runs of one frequency are planned one at a time', () => {
  const context = useTestContext();
  let fixture: Awaited<ReturnType<typeof insertDigestFixture>>;
  const today = new Date();

  beforeAll(async () => {
    fixture = await insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['llms'],
      paperList: [{ arxivId: '2611.00300', upvotes: 10, topics: { llms: 10 }, ingestedAt: new Date(today.getTime() - DAY) }],
      subscriberList: [{ email: 'planned-first@example.org', topics: ['llms'] }, { email: 'not-yet@example.org', topics: ['llms'] }],
    });
  });

  it('a run created while another is being planned waits for it, and leaves out the readers that one planned', async () => {
    const { db } = context.database;
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let holdsLock = () => {};
    const isHeld = new Promise<void>((resolve) => (holdsLock = resolve));
    // Another admin's run, mid-planning: it holds the lock and has planned one reader, not yet committed.
    const other = db.transaction(async (tx) => {
      const repository = createDigestsRepository({ db: tx });
      await repository.lockPlanning({ frequency: 'weekly' });
      const { run } = await repository.insertRun({
        values: { frequency: 'weekly', trigger: 'admin', isDryRun: false, periodKey: 'other', periodStart: today, periodEnd: today },
      });
      const subscriberId = fixture.subscriberId.get('planned-first@example.org')!;
      await tx.insert(deliveries).values({ runId: run!.id, subscriberId, paperIds: [fixture.paperId.get('2611.00300')!] });
      holdsLock();
      await released;
    });
    await isHeld;

    const second = createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, now: new Date(), settings });
    const first = await lockWaitOrSettled({ pool: context.database.pool, work: second });
    release();
    await other;
    expect(first).toBe('waiting');
    const { run } = await second;
    expect(run).toMatchObject({ plannedCount: 1, alreadyMailedCount: 1 });
    expect(await db.select().from(deliveries).where(eq(deliveries.runId, run.id))).toMatchObject([
      { subscriberId: fixture.subscriberId.get('not-yet@example.org') },
    ]);
  });
});

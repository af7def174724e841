import { deliveries as deliveriesTable, digestRuns } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { superviseRuns } from '../digests/digests.supervisor.ts';
import { resumeRun } from '../digests/digests.usecases.ts';
import { classifySmtpReply } from './deliverability.classifier.ts';
import { runBounceStats } from './deliverability.rates.ts';
import { insertRunWithDeliveries, insertSubscriber } from './deliverability.test-fixtures.ts';
import { recordBounce, recordComplaint } from './deliverability.usecases.ts';

const HARD = classifySmtpReply({ enhancedStatus: '5.1.1', phase: 'report' });
const SOFT = classifySmtpReply({ enhancedStatus: '4.2.2', phase: 'report' });
const POLICY = classifySmtpReply({ enhancedStatus: '5.7.1', phase: 'report' });
const limits = { maxHardBounceRate: 0.05, maxComplaintRate: 0.003 };

describe('per-run bounce and complaint rates', () => {
  const context = useTestContext();
  const db = () => context.database.db;

  /** A sending run of `size` deliveries, all sent but one still pending, so the supervisor keeps it going. */
  async function sendingRun(name: string, size: number) {
    const subscriberList = [];
    for (let index = 0; index <= size; index += 1) subscriberList.push(await insertSubscriber({ db: db(), email: `${name}-${index}@example.org` }));
    const { run, deliveries } = await insertRunWithDeliveries({ db: db(), subscriberIds: subscriberList.map((row) => row.id) });
    const waiting = deliveries.pop()!;
    await db().update(deliveriesTable).set({ state: 'pending', sentAt: null }).where(eq(deliveriesTable.id, waiting.id));
    return { run, deliveries };
  }

  const supervise = () =>
    superviseRuns({ db: db(), enqueueSends: async () => {}, countQueuedSends: async () => 1, now: new Date(), idleMs: 60_000, rateLimits: limits });

  async function runRow(runId: string) {
    const [row] = await db().select().from(digestRuns).where(eq(digestRuns.id, runId));
    return row!;
  }

  it('counts hard, soft, policy and complaints per run, over the deliveries that left', async () => {
    const { run, deliveries } = await sendingRun('stats', 4);
    const on = (index: number) => ({ subscriberId: deliveries[index]!.subscriberId, deliveryId: deliveries[index]!.id });
    await recordBounce({ db: db(), subject: on(0), bounce: HARD, source: 'dsn', softBounceLimit: 3 });
    await recordBounce({ db: db(), subject: on(1), bounce: SOFT, source: 'dsn', softBounceLimit: 3 });
    await recordBounce({ db: db(), subject: on(2), bounce: POLICY, source: 'smtp', softBounceLimit: 3 });
    await recordComplaint({ db: db(), subject: on(3), source: 'webhook:ses' });
    expect(await runBounceStats({ db: db(), runId: run.id })).toEqual({
      runId: run.id,
      attempted: 4,
      hardBounces: 1,
      softBounces: 1,
      policyRefusals: 1,
      complaints: 1,
      hardBounceRate: 0.25,
      complaintRate: 0.25,
    });
  });

  it('a run whose hard-bounce rate passes the limit pauses itself and says why', async () => {
    const { run, deliveries } = await sendingRun('hard', 20);
    for (const delivery of deliveries.slice(0, 2)) {
      await recordBounce({ db: db(), subject: { subscriberId: delivery.subscriberId, deliveryId: delivery.id }, bounce: HARD, source: 'dsn', softBounceLimit: 3 });
    }
    await supervise();
    // Two bounces are under the minimum that may pause a run, whatever their rate.
    expect((await runRow(run.id)).state).toBe('sending');
    const third = deliveries[2]!;
    await recordBounce({ db: db(), subject: { subscriberId: third.subscriberId, deliveryId: third.id }, bounce: HARD, source: 'dsn', softBounceLimit: 3 });
    await supervise();
    const paused = await runRow(run.id);
    expect(paused.state).toBe('paused');
    expect(paused.pauseReason).toBe('3 of 20 deliveries hard-bounced (15.0%), above the limit of 5.0%. Check where these addresses came from before resuming.');
  });

  it('a run whose complaint rate passes the limit pauses itself', async () => {
    const { run, deliveries } = await sendingRun('complaint', 10);
    for (const delivery of deliveries.slice(0, 3)) {
      await recordComplaint({ db: db(), subject: { subscriberId: delivery.subscriberId, deliveryId: delivery.id }, source: 'arf' });
    }
    await supervise();
    const paused = await runRow(run.id);
    expect(paused.state).toBe('paused');
    expect(paused.pauseReason).toMatch(/^3 of 10 recipients complained \(30\.0%\)/);
  });

  it('a run resumed after pausing for its bounces keeps sending until deliveries since the resume breach the limit', async () => {
    const { run, deliveries } = await sendingRun('resumed', 20);
    const bounce = async (index: number) => {
      const delivery = deliveries[index]!;
      await recordBounce({ db: db(), subject: { subscriberId: delivery.subscriberId, deliveryId: delivery.id }, bounce: HARD, source: 'dsn', softBounceLimit: 3 });
    };
    for (const index of [0, 1, 2]) await bounce(index);
    await supervise();
    expect((await runRow(run.id)).state).toBe('paused');

    await resumeRun({ db: db(), runId: run.id, enqueueSends: async () => {}, now: new Date() });
    await supervise();
    expect((await runRow(run.id)).state).toBe('sending');

    // Five deliveries leave after the resume and three of them bounce: new evidence, a new pause.
    const afterResume = deliveries.slice(10, 15);
    for (const delivery of afterResume) await db().update(deliveriesTable).set({ sentAt: new Date() }).where(eq(deliveriesTable.id, delivery.id));
    for (const index of [10, 11, 12]) await bounce(index);
    await supervise();
    const paused = await runRow(run.id);
    expect(paused.state).toBe('paused');
    expect(paused.pauseReason).toMatch(/^3 of 5 deliveries hard-bounced/);
  });
});

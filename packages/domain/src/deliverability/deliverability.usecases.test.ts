import { loadConfig } from '@paperboy/config';
import { consentEvents, deliveries, subscribers, suppressions } from '@paperboy/db';
import { compileTransactionalTemplates, createMailer } from '@paperboy/email';
import { startSmtpCatcher, useTestContext } from '@paperboy/testing';
import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDigestsRepository } from '../digests/digests.repository.ts';
import { insertDigestFixture } from '../digests/digests.test-fixtures.ts';
import { createRun } from '../digests/digests.usecases.ts';
import { findUnsentConfirmations } from '../subscriptions/confirmation.sweep.ts';
import { createSubscriptionEmailSkeletons, sendSubscriptionEmail } from '../subscriptions/subscription-emails.usecases.ts';
import { signup } from '../subscriptions/subscriptions.usecases.ts';
import { classifySmtpReply } from './deliverability.classifier.ts';
import { FIXTURE_SECRET, insertRunWithDeliveries, insertSubscriber } from './deliverability.test-fixtures.ts';
import { findEvidenceSubject, liftSuppression, listSuppressions, recordBounce, recordComplaint, suppressAddress } from './deliverability.usecases.ts';

const HARD = classifySmtpReply({ replyCode: 550, text: '550 5.1.1 unknown', phase: 'rcpt' });
const SOFT = classifySmtpReply({ replyCode: 552, text: '552 5.2.2 mailbox full', phase: 'rcpt' });
const POLICY = classifySmtpReply({ replyCode: 550, text: '550 5.7.1 spam', phase: 'data' });
const TRANSPORT = classifySmtpReply({ replyCode: 535, text: '535 5.7.8 bad credentials', phase: 'auth' });
const DAY = 86_400_000;

describe('bounces and complaints', () => {
  const context = useTestContext();
  const db = () => context.database.db;

  async function consentKinds(subscriberId: string) {
    const rows = await db().select().from(consentEvents).where(eq(consentEvents.subscriberId, subscriberId)).orderBy(asc(consentEvents.id));
    return rows.map((row) => ({ kind: row.kind, details: row.details }));
  }

  async function suppressionOf(emailHash: string) {
    const [row] = await db().select().from(suppressions).where(eq(suppressions.emailHash, emailHash));
    return row;
  }

  it('a hard bounce suppresses the address at once and is counted once however often it is reported', async () => {
    const subscriber = await insertSubscriber({ db: db(), email: 'hard@example.org' });
    const { deliveries: [delivery] } = await insertRunWithDeliveries({ db: db(), subscriberIds: [subscriber.id] });
    const subject = { subscriberId: subscriber.id, deliveryId: delivery!.id };

    expect(await recordBounce({ db: db(), subject, bounce: HARD, source: 'dsn', softBounceLimit: 3 })).toEqual({ outcome: 'suppressed' });
    expect(await recordBounce({ db: db(), subject, bounce: HARD, source: 'dsn', softBounceLimit: 3 })).toEqual({ outcome: 'duplicate' });

    expect(await suppressionOf(subscriber.emailHash)).toMatchObject({ reason: 'hard_bounce', classification: '5.1.1 hard', source: 'dsn', deliveryId: delivery!.id });
    const [row] = await db().select().from(subscribers).where(eq(subscribers.id, subscriber.id));
    expect(row!.bounceCount).toBe(1);
    expect(await consentKinds(subscriber.id)).toEqual([
      { kind: 'bounce', details: { classification: '5.1.1 hard', source: 'dsn', deliveryId: delivery!.id } },
      { kind: 'suppressed', details: { reason: 'hard_bounce', classification: '5.1.1 hard', source: 'dsn' } },
    ]);
  });

  it('soft bounces suppress only at the limit, in a row across runs; a delivery that did not bounce breaks the row', async () => {
    const subscriber = await insertSubscriber({ db: db(), email: 'soft@example.org' });
    const start = Date.now() - 10 * DAY;
    const runs: Awaited<ReturnType<typeof insertRunWithDeliveries>>[] = [];
    for (let index = 0; index < 5; index += 1) {
      runs.push(await insertRunWithDeliveries({ db: db(), subscriberIds: [subscriber.id], createdAt: new Date(start + index * DAY) }));
    }
    const bounce = async (index: number) =>
      (await recordBounce({ db: db(), subject: { subscriberId: subscriber.id, deliveryId: runs[index]!.deliveries[0]!.id }, bounce: SOFT, source: 'smtp', softBounceLimit: 3 })).outcome;

    // Runs 0 and 1 bounce, run 2 goes through, runs 3 and 4 bounce: never three in a row.
    expect([await bounce(0), await bounce(1), await bounce(3), await bounce(4)]).toEqual(['counted', 'counted', 'counted', 'counted']);
    expect(await suppressionOf(subscriber.emailHash)).toBeUndefined();
    // The report for run 2 comes late: now runs 0 to 4 all bounced.
    expect(await bounce(2)).toBe('suppressed');
    expect(await suppressionOf(subscriber.emailHash)).toMatchObject({ reason: 'soft_bounce_limit', classification: '5.2.2 soft' });
  });

  it('a policy refusal is counted on the delivery only, and a transport failure nowhere', async () => {
    const subscriber = await insertSubscriber({ db: db(), email: 'policy@example.org' });
    const { deliveries: [delivery] } = await insertRunWithDeliveries({ db: db(), subscriberIds: [subscriber.id] });
    const subject = { subscriberId: subscriber.id, deliveryId: delivery!.id };
    expect((await recordBounce({ db: db(), subject, bounce: TRANSPORT, source: 'smtp', softBounceLimit: 3 })).outcome).toBe('ignored');
    expect((await recordBounce({ db: db(), subject, bounce: POLICY, source: 'smtp', softBounceLimit: 3 })).outcome).toBe('counted');
    const [row] = await db().select().from(deliveries).where(eq(deliveries.id, delivery!.id));
    expect(row).toMatchObject({ bounceKind: 'policy', bounceClassification: '5.7.1 policy' });
    expect(await suppressionOf(subscriber.emailHash)).toBeUndefined();
    expect(await consentKinds(subscriber.id)).toEqual([]);
  });

  it('a complaint unsubscribes at once, logs why, and suppresses the address', async () => {
    const subscriber = await insertSubscriber({ db: db(), email: 'complaint@example.org' });
    const { deliveries: [delivery] } = await insertRunWithDeliveries({ db: db(), subscriberIds: [subscriber.id] });
    const { subject } = await findEvidenceSubject({ db: db(), secretKey: FIXTURE_SECRET, ref: { messageId: delivery!.messageId! } });
    expect(subject).toEqual({ subscriberId: subscriber.id, deliveryId: delivery!.id });
    // Providers quote the Message-ID with or without its angle brackets.
    const bare = await findEvidenceSubject({ db: db(), secretKey: FIXTURE_SECRET, ref: { messageId: delivery!.messageId!.slice(1, -1) } });
    expect(bare.subject).toEqual(subject);

    expect(await recordComplaint({ db: db(), subject: subject!, source: 'arf' })).toEqual({ outcome: 'unsubscribed' });
    expect(await recordComplaint({ db: db(), subject: subject!, source: 'arf' })).toEqual({ outcome: 'duplicate' });
    const [row] = await db().select().from(subscribers).where(eq(subscribers.id, subscriber.id));
    expect(row!.status).toBe('unsubscribed');
    expect(await consentKinds(subscriber.id)).toEqual([
      { kind: 'unsubscribe', details: { reason: 'complaint', source: 'arf' } },
      { kind: 'suppressed', details: { reason: 'complaint', classification: 'complaint abuse', source: 'arf' } },
    ]);
  });

  it('a suppressed address is neither claimed for sending nor left pending; lifting lets it be mailed again', async () => {
    const subscriber = await insertSubscriber({ db: db(), email: 'lift@example.org' });
    const repository = createDigestsRepository({ db: db() });
    const first = await insertRunWithDeliveries({ db: db(), subscriberIds: [subscriber.id] });
    await recordBounce({ db: db(), subject: { subscriberId: subscriber.id, deliveryId: first.deliveries[0]!.id }, bounce: HARD, source: 'smtp', softBounceLimit: 3 });

    const second = await insertRunWithDeliveries({ db: db(), subscriberIds: [subscriber.id], deliveryState: 'pending' });
    const deliveryIds = [second.deliveries[0]!.id];
    expect((await repository.claimDeliveries({ deliveryIds, leaseExpiredBefore: new Date() })).claimed).toEqual([]);
    expect(await repository.cancelUnconfirmed({ deliveryIds })).toEqual({ cancelled: 1 });

    const { suppressions: listed } = await listSuppressions({ db: db(), limit: 50, offset: 0 });
    const mine = listed.find((item) => item.subscriberId === subscriber.id)!;
    expect(mine).toMatchObject({ address: 'lift@example.org', reason: 'hard_bounce', hasAddress: true });
    expect(await liftSuppression({ db: db(), id: mine.id })).toEqual({ reason: 'hard_bounce' });
    await expect(liftSuppression({ db: db(), id: mine.id })).rejects.toMatchObject({ code: 'deliverability.suppression_not_found', status: 404 });
    expect((await consentKinds(subscriber.id)).at(-1)).toEqual({ kind: 'suppression_lifted', details: { reason: 'hard_bounce' } });

    const third = await insertRunWithDeliveries({ db: db(), subscriberIds: [subscriber.id], deliveryState: 'pending' });
    expect((await repository.claimDeliveries({ deliveryIds: [third.deliveries[0]!.id], leaseExpiredBefore: new Date() })).claimed).toHaveLength(1);
  });
});

describe('a suppressed address is never planned nor sent a confirmation', () => {
  const context = useTestContext();

  it('planning leaves a suppressed subscriber out of the audience', async () => {
    const db = context.database.db;
    const { subscriberId } = await insertDigestFixture({
      db,
      topicSlugs: ['llms'],
      paperList: [{ arxivId: '2612.00001', upvotes: 3, topics: { llms: 6 } }],
      subscriberList: [{ email: 'kept@example.org', topics: ['llms'] }, { email: 'suppressed@example.org', topics: ['llms'] }],
    });
    const [suppressed] = await db.select().from(subscribers).where(eq(subscribers.id, subscriberId.get('suppressed@example.org')!));
    await db.insert(suppressions).values({ emailHash: suppressed!.emailHash, reason: 'manual', source: 'admin' });
    const { run } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, now: new Date(), settings: { lookbackDays: { weekly: 7, daily: 1 }, maxFailureRatio: 0.1 } });
    const planned = await db.select().from(deliveries).where(eq(deliveries.runId, run.id));
    expect(planned.map((row) => row.subscriberId)).toEqual([subscriberId.get('kept@example.org')]);
  });

  it('a pending subscriber whose address is suppressed gets no confirmation mail', async () => {
    const db = context.database.db;
    const config = loadConfig({ env: { NODE_ENV: 'test', PUBLIC_URL: 'https://paperboy.test', SECRET_KEY: FIXTURE_SECRET } });
    const subscriber = await insertSubscriber({ db, email: 'pending-suppressed@example.org', status: 'pending' });
    await suppressAddress({ db, secretKey: FIXTURE_SECRET, email: 'Pending-Suppressed@example.org' });
    const catcher = await startSmtpCatcher();
    const mailer = createMailer({ smtpUrl: catcher.url });
    try {
      const deps = { db, mailer, templates: await compileTransactionalTemplates(), subscriptionSkeletons: createSubscriptionEmailSkeletons({ from: config.mail.from }), config };
      expect(await sendSubscriptionEmail({ deps, job: 'confirmation', subscriberId: subscriber.id })).toEqual({ outcome: 'skipped', reason: 'suppressed' });
      // Nor is it queued again and again by the sweep of confirmations that were never sent.
      const window = { createdBefore: new Date(Date.now() + 60_000), createdAfter: new Date(Date.now() - 60_000), limit: 100 };
      expect((await findUnsentConfirmations({ db, ...window })).subscriberIds).not.toContain(subscriber.id);
      await liftSuppression({ db, id: (await listSuppressions({ db, limit: 10, offset: 0 })).suppressions[0]!.id });
      expect((await findUnsentConfirmations({ db, ...window })).subscriberIds).toContain(subscriber.id);
      expect((await sendSubscriptionEmail({ deps, job: 'confirmation', subscriberId: subscriber.id })).outcome).toBe('sent');
      expect(catcher.messages).toHaveLength(1);
    } finally {
      mailer.close();
      await catcher.close();
    }
  });

  it('a reader who complained and signs up again is not sent a confirmation: the suppression outlives the unsubscribe', async () => {
    const db = context.database.db;
    const config = loadConfig({ env: { NODE_ENV: 'test', PUBLIC_URL: 'https://paperboy.test', SECRET_KEY: FIXTURE_SECRET } });
    const input = { email: 'returning@example.org', topics: [], keywords: ['graph neural networks'], frequency: 'weekly' as const, digestSize: 10 as const };
    const enqueued: string[] = [];
    const signUp = () => signup({ db, secretKey: FIXTURE_SECRET, confirmationResendMs: 1, enqueueEmail: async ({ subscriberId }) => void enqueued.push(subscriberId), input });
    await signUp();
    const [row] = await db.update(subscribers).set({ status: 'confirmed' }).where(eq(subscribers.email, input.email)).returning();
    await recordComplaint({ db, subject: { subscriberId: row!.id, deliveryId: undefined }, source: 'webhook:postmark' });

    await signUp();
    const [again] = await db.select().from(subscribers).where(eq(subscribers.id, row!.id));
    expect(again!.status).toBe('pending');
    // The signup queued its confirmation as for anyone; the send is where the suppression holds.
    expect(enqueued).toEqual([row!.id, row!.id]);
    const catcher = await startSmtpCatcher();
    const mailer = createMailer({ smtpUrl: catcher.url });
    try {
      const deps = { db, mailer, templates: await compileTransactionalTemplates(), subscriptionSkeletons: createSubscriptionEmailSkeletons({ from: config.mail.from }), config };
      expect(await sendSubscriptionEmail({ deps, job: 'confirmation', subscriberId: row!.id })).toEqual({ outcome: 'skipped', reason: 'suppressed' });
      expect(catcher.messages).toHaveLength(0);
    } finally {
      mailer.close();
      await catcher.close();
    }
  });
});

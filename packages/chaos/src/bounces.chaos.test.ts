import type { TDb } from '@paperboy/db';
import { recordBounce, recordComplaint } from '@paperboy/domain';
import { chaosPhaseTimeoutMs, chaosSubscriberCount, getFreePort, spawnWorker, startSmtpCatcher, type TSmtpCatcher, type TWorkerProcess, useTestContext } from '@paperboy/testing';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { reconcile, report } from './chaos.reconcile.ts';
import { enqueueStart, planChaosRun, sleep, waitForRunToSettle, waitUntil } from './chaos.scenario.ts';

// The fixture's readers are reader<n>@chaos.example: every tenth one has no mailbox.
const isDeadMailbox = (address: string) => Number(/^reader(\d+)@/.exec(address)?.[1]) % 10 === 0;

type TTarget = { deliveryId: string; subscriberId: string; email: string };

/**
 * A reader of this run who is no bouncing address. `mailed`: one already sent to; otherwise the
 * pending delivery with the highest id, which the queue (fed in id order) reaches last.
 */
async function pickTarget(db: TDb, { mailed, except = [] }: { mailed: boolean; except?: string[] }): Promise<TTarget> {
  const { rows } = await db.execute<TTarget>(sql`
    select d.id as "deliveryId", s.id as "subscriberId", s.email from deliveries d join subscribers s on s.id = d.subscriber_id
    where d.state = ${mailed ? 'sent' : 'pending'} and s.status = 'confirmed'
    order by d.id desc
  `);
  const target = rows.find((row) => !isDeadMailbox(row.email) && !except.includes(row.deliveryId));
  if (!target) throw new Error(`no ${mailed ? 'mailed' : 'pending'} reader left to pick`);
  return target;
}

/** Each suppressed address of the run with when it was recorded, why and from where. */
async function suppressionsByAddress(db: TDb) {
  const { rows } = await db.execute<{ email: string; reason: string; source: string; created_at: string }>(sql`
    select s.email, x.reason, x.source, x.created_at::text from suppressions x join subscribers s on s.email_hash = x.email_hash
  `);
  return new Map(rows.map((row) => [row.email, { ...row, createdAt: new Date(row.created_at) }]));
}

async function deliveryOf(db: TDb, subscriberId: string) {
  const { rows } = await db.execute<{ state: string; bounce_kind: string | null; complained_at: string | null }>(
    sql`select state, bounce_kind, complained_at::text from deliveries where subscriber_id = ${subscriberId}::uuid`,
  );
  return rows[0];
}

async function complaintRecord(db: TDb, subscriberId: string) {
  const { rows } = await db.execute<{ status: string; reason: string | null; source: string | null }>(sql`
    select s.status, c.details->>'reason' as reason, c.details->>'source' as source from subscribers s
    left join consent_events c on c.subscriber_id = s.id and c.kind = 'unsubscribe'
    where s.id = ${subscriberId}::uuid
  `);
  return rows[0];
}

describe('chaos 7: a tenth of the addresses hard-bounce at RCPT, and complaints and a late bounce arrive mid-run', () => {
  const context = useTestContext();
  let worker: TWorkerProcess | undefined;
  let catcher: TSmtpCatcher | undefined;

  afterAll(async () => {
    await worker?.kill();
    await catcher?.close();
  });

  it('mails no address after its suppression, tries a dead mailbox once, and loses nothing else', async () => {
    const startedAt = Date.now();
    const subscribers = chaosSubscriberCount();
    const { db } = context.database;
    catcher = await startSmtpCatcher({ port: await getFreePort(), isParsing: false });
    const smtp = catcher;
    // Every RCPT TO the server saw, and when it accepted each message, per address.
    const rcptAttempts = new Map<string, number>();
    const acceptedAt = new Map<string, Date[]>();
    smtp.respondToRecipient((address) => {
      rcptAttempts.set(address, (rcptAttempts.get(address) ?? 0) + 1);
      return isDeadMailbox(address) ? { code: 550, message: '5.1.1 No such user here' } : undefined;
    });
    smtp.respondWith(({ envelope }) => {
      for (const { address } of envelope.rcptTo) acceptedAt.set(address, [...(acceptedAt.get(address) ?? []), new Date()]);
      return undefined;
    });

    const { run, unsentBefore } = await planChaosRun({ db, subscribers });
    const { rows: readers } = await db.execute<{ email: string }>(sql`
      select s.email from deliveries d join subscribers s on s.id = d.subscriber_id where s.status = 'confirmed'
    `);
    const deadMailboxes = readers.map((row) => row.email).filter(isDeadMailbox);
    // A limit no rate can pass: the run must end `done`, so every delivery's fate is known and the
    // suppressions are judged on a whole run. At the default 5 % this run pauses at a moment that
    // depends on timing (refusals are recorded one by one, acceptances in group commits), and
    // deliverability.rates.test.ts already proves the pause and its reason.
    worker = spawnWorker({
      DATABASE_URL: context.database.url,
      REDIS_URL: context.redisUrl,
      QUEUE_PREFIX: context.queuePrefix,
      SMTP_URL: smtp.url,
      RUN_MAX_HARD_BOUNCE_RATE: '1',
    });
    await worker.ready();
    await enqueueStart({ redisUrl: context.redisUrl, prefix: context.queuePrefix, runId: run.id });

    await waitUntil(() => smtp.messages.length >= run.plannedCount / 3, { timeoutMs: chaosPhaseTimeoutMs(), what: 'a third of the run' });
    // Mid-run, as Postmark's webhook would deliver them: a complaint about this run's digest from
    // a reader already mailed, a complaint from a reader not mailed yet (about an earlier digest),
    // and a hard bounce reported late for another reader not mailed yet.
    const mailedComplainer = await pickTarget(db, { mailed: true });
    const unmailedComplainer = await pickTarget(db, { mailed: false });
    const lateBounced = await pickTarget(db, { mailed: false, except: [unmailedComplainer.deliveryId] });
    await recordComplaint({ db, subject: { subscriberId: mailedComplainer.subscriberId, deliveryId: mailedComplainer.deliveryId }, source: 'webhook:postmark' });
    await recordComplaint({ db, subject: { subscriberId: unmailedComplainer.subscriberId, deliveryId: undefined }, source: 'webhook:postmark' });
    await recordBounce({
      db,
      subject: { subscriberId: lateBounced.subscriberId, deliveryId: undefined },
      bounce: { kind: 'hard', classification: '5.1.1 hard' },
      source: 'webhook:postmark',
      softBounceLimit: 3,
    });

    const state = await waitForRunToSettle({ db, runId: run.id, timeoutMs: chaosPhaseTimeoutMs(), explain: () => worker?.output().slice(-2000) ?? '' });
    await sleep(1_000);
    const suppressed = await suppressionsByAddress(db);
    const mailedAfterSuppression = [...suppressed].filter(([email, { createdAt }]) => (acceptedAt.get(email) ?? []).some((at) => at >= createdAt)).length;
    const result = await reconcile({
      db,
      scenario: '7-bounces',
      messages: smtp.messages,
      subscribers,
      unsentBefore,
      durationMs: Date.now() - startedAt,
      notes: [
        `${deadMailboxes.length} addresses answered 550 5.1.1 at RCPT, ${suppressed.size} suppressions in all`,
        `${mailedAfterSuppression} messages accepted for an address after its suppression was recorded`,
      ],
    });
    await report(result);

    expect(state).toBe('done');
    expect(mailedAfterSuppression).toBe(0);
    expect(deadMailboxes.length).toBeGreaterThanOrEqual(subscribers / 10 - 10);
    for (const email of deadMailboxes) {
      expect({ email, attempts: rcptAttempts.get(email), accepted: acceptedAt.get(email)?.length ?? 0 }).toEqual({ email, attempts: 1, accepted: 0 });
      expect(suppressed.get(email)).toMatchObject({ reason: 'hard_bounce', source: 'smtp' });
    }
    expect(suppressed.size).toBe(deadMailboxes.length + 3);

    // Already mailed once, before the complaint; the complaint is counted against this run.
    expect(acceptedAt.get(mailedComplainer.email)?.length).toBe(1);
    const complainedAbout = await deliveryOf(db, mailedComplainer.subscriberId);
    expect(complainedAbout?.state).toBe('sent');
    expect(complainedAbout?.complained_at).not.toBeNull();
    for (const complainer of [mailedComplainer, unmailedComplainer]) {
      expect(await complaintRecord(db, complainer.subscriberId)).toEqual({ status: 'unsubscribed', reason: 'complaint', source: 'webhook:postmark' });
      expect(suppressed.get(complainer.email)).toMatchObject({ reason: 'complaint', source: 'webhook:postmark' });
    }
    // Not mailed yet: their deliveries are cancelled when the send job reaches them, never sent.
    for (const reader of [unmailedComplainer, lateBounced]) {
      expect({ email: reader.email, accepted: acceptedAt.get(reader.email)?.length ?? 0 }).toEqual({ email: reader.email, accepted: 0 });
      expect(await deliveryOf(db, reader.subscriberId)).toMatchObject({ state: 'cancelled' });
    }
    expect(suppressed.get(lateBounced.email)).toMatchObject({ reason: 'hard_bounce', source: 'webhook:postmark' });

    // Nothing lost: the 10 who left after planning and the 2 suppressed mid-run are cancelled,
    // the dead mailboxes failed, everyone else was sent exactly one digest.
    expect(result).toMatchObject({ runs: 1, missing: 0, duplicates: 0, toUnsubscribed: 0, strays: 0, failed: deadMailboxes.length, cancelled: 12 });
    expect(result.sent).toBe(run.plannedCount - deadMailboxes.length - 12);
    expect(result.received).toBe(result.sent);
  }, 3 * chaosPhaseTimeoutMs());
});

import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { deliveries, digestRuns, paperRatings, papers, subscribers, suppressions } from '@paperboy/db';
import {
  classifySmtpReply,
  createDigestsRepository,
  createToken,
  eraseSubscriberData,
  recordBounce,
  signup,
  verpAddress,
} from '@paperboy/domain';
import { arfReport, dsnReport } from '@paperboy/domain/deliverability-test-reports';
import { createLogger } from '@paperboy/logger';
import { configFor, startPrivateDovecot, useTestContext, type TPrivateDovecot } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, createRedis } from '@paperboy/queue';
import { runBounceMailboxPoll, scheduleBounceMailbox } from './bounces.job.ts';

const SECRET_KEY = 'erasure-test-secret-key-0123456789abcdef';
const BOUNCE_DOMAIN = 'bounces.paperboy.test';
// Distinctive enough that any trace of it (address or mailbox name) is found by a plain search.
const ADDRESS = 'Zelda.Quirinus-7731@mail-erasure.example.org';
const traces = [ADDRESS.toLowerCase(), 'zelda.quirinus-7731', 'mail-erasure.example.org'];

describe('erasing a subscriber who bounced, complained, rated a paper and was logged', () => {
  const context = useTestContext();
  let dovecot: TPrivateDovecot;
  const logLines: string[] = [];

  beforeAll(async () => {
    dovecot = await startPrivateDovecot();
  });
  afterAll(async () => {
    await dovecot?.close();
  });

  it('leaves no trace of the address in a dump of the whole database or in the logs; the suppression stays, by hash', async () => {
    const db = context.database.db;
    const config = configFor(context, { SECRET_KEY, BOUNCE_DOMAIN, BOUNCE_IMAP_URL: dovecot.url, LOG_LEVEL: 'trace' });
    const logger = createLogger({ level: 'trace', name: 'worker', destination: new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(chunk.toString()), done()) }) });

    await signup({
      db,
      secretKey: SECRET_KEY,
      confirmationResendMs: 60_000,
      enqueueEmail: async () => {},
      input: { email: ADDRESS.toLowerCase(), topics: [], keywords: ['diffusion models'], frequency: 'weekly', digestSize: 10 },
      origin: { ip: '203.0.113.9', userAgent: 'Mozilla/5.0 (erasure test)' },
    });
    const [subscriber] = await db.update(subscribers).set({ status: 'confirmed', confirmedAt: new Date() }).where(eq(subscribers.email, ADDRESS.toLowerCase())).returning();

    // Three digests, one per run: one refused during the send, one bounced later (a DSN), one complained about (ARF).
    const sentDeliveries = [];
    for (const periodKey of ['2026-W49', '2026-W50', '2026-W51']) {
      const [run] = await db.insert(digestRuns).values({ frequency: 'weekly', trigger: 'admin', periodKey, periodStart: new Date(), periodEnd: new Date(), state: 'done' }).returning();
      sentDeliveries.push(...(await db.insert(deliveries).values({ runId: run!.id, subscriberId: subscriber!.id, paperIds: [], state: 'sending' }).returning()));
    }
    const [refused, bounced, complained] = sentDeliveries;
    const repository = createDigestsRepository({ db });
    // A legacy row may hold the server's own words, which quote the address; the send path stores only the classification.
    await repository.markFailed({ deliveryId: refused!.id, error: `550 EENVELOPE 5.1.1 <${ADDRESS}>: Recipient address rejected: User unknown` });
    await recordBounce({ db, subject: { subscriberId: subscriber!.id, deliveryId: refused!.id }, bounce: classifySmtpReply({ replyCode: 550, text: `550 5.1.1 <${ADDRESS}>`, phase: 'rcpt' }), source: 'smtp', softBounceLimit: 3 });
    await repository.markSent({
      sent: [bounced!, complained!].map((delivery) => ({ deliveryId: delivery.id, messageId: `<digest-${delivery.id}@paperboy.test>`, smtpResponse: `250 2.1.5 <${ADDRESS}> ok: queued as 4Xk2Zq` })),
    });

    const verp = (deliveryId: string) => verpAddress({ deliveryId, secretKey: SECRET_KEY, bounceDomain: BOUNCE_DOMAIN });
    await dovecot.append(dsnReport({ verp: verp(bounced!.id), recipient: ADDRESS, messageId: `<digest-${bounced!.id}@paperboy.test>`, status: '5.2.2', reply: `552 5.2.2 <${ADDRESS}>: mailbox full` }));
    await dovecot.append(arfReport({ verp: verp(complained!.id), recipient: ADDRESS, messageId: `<digest-${complained!.id}@paperboy.test>` }));
    await dovecot.append(`From: ${ADDRESS}\r\nTo: bounces@paperboy.test\r\nSubject: Re: your digest\r\n\r\nPlease stop, ${ADDRESS}\r\n`);
    await runBounceMailboxPoll({ config, db, logger });
    expect(logLines.join('')).toContain('reports applied');

    const [paper] = await db.insert(papers).values({ arxivId: '2612.04242', title: 'Rated', abstract: 'A paper.', authors: ['A. Author'], upvotes: 1, source: 'test' }).returning();
    await db.insert(paperRatings).values({ subscriberId: subscriber!.id, paperId: paper!.id, rating: 1, runId: refused!.runId });

    const token = createToken({ secretKey: SECRET_KEY, subscriberId: subscriber!.id, purpose: 'preferences', expiresAt: new Date(Date.now() + 86_400_000) });
    expect(await eraseSubscriberData({ db, secretKey: SECRET_KEY, token })).toEqual({ outcome: 'erased' });

    const dump = execFileSync('pg_dump', ['--no-owner', '--dbname', context.database.url], { maxBuffer: 256 * 1024 * 1024 }).toString('utf8').toLowerCase();
    // The dump is of the right database: the subscriber is there, by hash.
    expect(dump).toContain(subscriber!.emailHash);
    for (const trace of traces) {
      expect(dump).not.toContain(trace);
      expect(logLines.join('').toLowerCase()).not.toContain(trace);
    }
    const [suppression] = await db.select().from(suppressions).where(eq(suppressions.emailHash, subscriber!.emailHash));
    expect(suppression).toMatchObject({ reason: 'hard_bounce' });
  });
});

describe('the bounce mailbox schedule', () => {
  const context = useTestContext();

  it('is registered every BOUNCE_IMAP_POLL_SECONDS while BOUNCE_IMAP_URL is set, and removed when it is not', async () => {
    const redis = createRedis({ url: context.redisUrl, role: 'worker' });
    await redis.connect();
    const queues = createQueues({ connection: redis, prefix: context.queuePrefix });
    try {
      const withMailbox = configFor(context, { BOUNCE_IMAP_URL: 'imap://bounces:secret@127.0.0.1:1143', BOUNCE_IMAP_POLL_SECONDS: '120' });
      await scheduleBounceMailbox({ queues, config: withMailbox });
      const schedulers = await queues.get('deliverability').getJobSchedulers();
      expect(schedulers.map((scheduler) => ({ key: scheduler.key, every: scheduler.every }))).toEqual([{ key: 'bounce-mailbox', every: 120_000 }]);
      await scheduleBounceMailbox({ queues, config: configFor(context) });
      expect(await queues.get('deliverability').getJobSchedulers()).toEqual([]);
    } finally {
      await queues.close();
      await redis.quit();
    }
  });
});

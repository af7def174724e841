import { deliveries, subscribers } from '@paperboy/db';
import { createRun, getRunProgress, verifyToken } from '@paperboy/domain';
import { insertDigestFixture } from '@paperboy/domain/test-fixtures';
import { createLogger } from '@paperboy/logger';
import { createQueues, createRedis } from '@paperboy/queue';
import { configFor, startSmtpCatcher, useTestContext, type TSmtpCatcher } from '@paperboy/testing';
import { desc, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWorkerRuntime, type TWorkerRuntime } from '../runtime.ts';

const logger = createLogger({ level: 'silent', name: 'test' });
const settings = { lookbackDays: { weekly: 7, daily: 1 }, maxFailureRatio: 0.5 };

describe('digest delivery through the worker', () => {
  const context = useTestContext();
  let catcher: TSmtpCatcher;
  let runtimes: TWorkerRuntime[] = [];

  beforeEach(async () => {
    catcher = await startSmtpCatcher();
    // A fresh set of rows per test: truncating is cheaper than a new database.
    await context.database.db.execute(
      sql.raw(
        'truncate suppressions, sent_papers, deliveries, digest_runs, consent_events, subscriber_topics, subscriber_keywords, paper_topics, paper_keywords, papers, keywords, subscribers, topics restart identity cascade',
      ),
    );
  });

  afterEach(async () => {
    await Promise.all(runtimes.map((runtime) => runtime.close()));
    runtimes = [];
    await catcher.close();
  });

  function config(overrides: Record<string, string> = {}) {
    return configFor(context, {
      SMTP_URL: catcher.url,
      PUBLIC_URL: 'https://paperboy.test',
      DIGEST_SCHEDULES_ENABLED: 'false',
      DIGEST_SUPERVISOR_INTERVAL_MS: '200',
      DIGEST_SEND_LEASE_MS: '1500',
      SMTP_MAX_CONNECTIONS: '2',
      // Small batches, so a run of a few dozen spans several send jobs.
      DIGEST_SEND_BATCH_SIZE: '5',
      DIGEST_SEND_CONCURRENCY: '2',
      ...overrides,
    });
  }

  async function startWorker(overrides: Record<string, string> = {}) {
    const runtime = createWorkerRuntime({ config: config(overrides), logger });
    runtimes.push(runtime);
    await runtime.start();
    return runtime;
  }

  async function startRunNow(frequency: 'weekly' | 'daily' = 'weekly', traceId?: string) {
    const { db } = context.database;
    const { run } = await createRun({ db, frequency, trigger: 'admin', isDryRun: false, now: new Date(), settings });
    const redis = createRedis({ url: context.redisUrl, role: 'producer' });
    const queues = createQueues({ connection: redis, prefix: context.queuePrefix });
    await queues.enqueue({ queue: 'digest-runs', job: 'start', payload: { runId: run.id, traceId }, jobId: `start-${run.id}` });
    await queues.close();
    redis.disconnect();
    return run;
  }

  async function waitForRun(runId: string, state: 'done' | 'paused' = 'done') {
    await vi.waitFor(
      async () => {
        const { run } = await getRunProgress({ db: context.database.db, runId });
        expect(run.state).toBe(state);
      },
      { timeout: 20_000, interval: 100 },
    );
    return getRunProgress({ db: context.database.db, runId });
  }

  async function standardFixture(extra: Parameters<typeof insertDigestFixture>[0]['subscriberList'] = []) {
    return insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['llms'],
      paperList: [
        { arxivId: '2611.00001', upvotes: 3, topics: { llms: 6 } },
        { arxivId: '2611.00002', upvotes: 400, topics: { llms: 1.5 } },
      ],
      subscriberList: [
        { email: 'ada@example.org', topics: ['llms'] },
        { email: 'bob@example.org', topics: ['llms'] },
        { email: 'pending@example.org', status: 'pending', topics: ['llms'] },
        { email: 'gone@example.org', status: 'unsubscribed', topics: ['llms'] },
        { email: 'paused@example.org', topics: ['llms'], pausedUntil: new Date(Date.now() + 7 * 86_400_000) },
        ...extra,
      ],
    });
  }

  it('delivers exactly one digest to each eligible subscriber, with the papers in rank order and the list headers', async () => {
    const fixture = await standardFixture();
    await startWorker();
    const run = await startRunNow();
    const { counts } = await waitForRun(run.id);
    expect(counts).toMatchObject({ sent: 2, failed: 0, pending: 0, sending: 0 });

    const messages = await catcher.waitForMessages(2);
    expect(messages.map((message) => message.envelope.to[0]).sort()).toEqual(['ada@example.org', 'bob@example.org']);
    const ada = messages.find((message) => message.envelope.to[0] === 'ada@example.org')!;
    const html = String(ada.parsed.html);
    expect(html.indexOf('Paper 2611.00001')).toBeGreaterThan(-1);
    expect(html.indexOf('Paper 2611.00001')).toBeLessThan(html.indexOf('Paper 2611.00002'));
    expect(ada.parsed.text).toContain('1. Paper 2611.00001');
    expect(ada.parsed.text).toContain('3 upvotes · Why you got this: Topic llms (llms)\n');

    const [delivery] = await context.database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.subscriberId, fixture.subscriberId.get('ada@example.org')!));
    expect(ada.header('message-id')).toBe(`<digest-${delivery!.id}@paperboy.test>`);
    expect(delivery).toMatchObject({ state: 'sent', messageId: `<digest-${delivery!.id}@paperboy.test>` });
    expect(delivery!.smtpResponse).toMatch(/^250/);
    expect(ada.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(ada.header('list-id')).toBe('Paperboy weekly digest <weekly.digest.paperboy.test>');
    const unsubscribeUrl = /^<(https:\/\/paperboy\.test\/unsubscribe\/[^>]+)>$/.exec(ada.header('list-unsubscribe') ?? '')?.[1];
    expect(unsubscribeUrl).toBeDefined();
    const token = decodeURIComponent(unsubscribeUrl!.split('/').pop()!);
    const check = verifyToken({ secretKey: config().security.secretKey, token, purpose: 'unsubscribe', now: new Date() });
    expect(check).toMatchObject({ isValid: true, subscriberId: fixture.subscriberId.get('ada@example.org') });
    expect(html).toContain(unsubscribeUrl);
    expect(html).toContain('https://paperboy.test/preferences/');

    // A second run in the same period finds nothing new for anyone.
    const second = await startRunNow();
    const { run: secondRun } = await waitForRun(second.id);
    expect(secondRun.plannedCount).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(catcher.messages).toHaveLength(2);
  });

  it("a run started by a request carries the request's trace id into every send batch", async () => {
    await standardFixture();
    await startWorker();
    const run = await startRunNow('weekly', 'console-request-42');
    await waitForRun(run.id);
    const redis = createRedis({ url: context.redisUrl, role: 'producer' });
    const queues = createQueues({ connection: redis, prefix: context.queuePrefix });
    const sends = await queues.get('digest-sends').getJobs(['completed']);
    await queues.close();
    redis.disconnect();
    const ofRun = sends.filter((job) => (job.data as { runId: string }).runId === run.id);
    expect(ofRun.length).toBeGreaterThan(0);
    expect(ofRun.map((job) => (job.data as { traceId?: string }).traceId)).toEqual(ofRun.map(() => 'console-request-42'));
  });

  it('when the SMTP server answers 421 before 250, every delivery is sent once', async () => {
    await standardFixture();
    catcher.respondWith(({ count }) => (count <= 2 ? { code: 421, message: 'Too busy, try later' } : undefined));
    await startWorker();
    const run = await startRunNow();
    const { counts } = await waitForRun(run.id);
    expect(counts).toMatchObject({ sent: 2, failed: 0 });
    expect(catcher.messages.map((message) => message.envelope.to[0]).sort()).toEqual(['ada@example.org', 'bob@example.org']);
  });

  it('a 550 5.1.1 for one address fails only that delivery, counts a bounce and stores only its classification', async () => {
    const fixture = await standardFixture();
    catcher.respondToRecipient((address) => (address === 'bob@example.org' ? { code: 550, message: '5.1.1 <bob@example.org>: No such user here' } : undefined));
    await startWorker();
    const run = await startRunNow();
    const { counts } = await waitForRun(run.id);
    expect(counts).toMatchObject({ sent: 1, failed: 1 });
    const [bob] = await context.database.db.select().from(subscribers).where(eq(subscribers.id, fixture.subscriberId.get('bob@example.org')!));
    expect(bob?.bounceCount).toBe(1);
    const [failed] = await context.database.db.select().from(deliveries).where(eq(deliveries.state, 'failed'));
    expect(failed?.lastError).toBe('5.1.1 hard');
  });

  it('escapes hostile paper titles so they show as text', async () => {
    await insertDigestFixture({
      db: context.database.db,
      topicSlugs: ['llms'],
      paperList: [{ arxivId: '2611.00009', upvotes: 1, title: '"><img src=x onerror=alert(1)> <script>alert(2)</script>', topics: { llms: 1 } }],
      subscriberList: [{ email: 'ada@example.org', topics: ['llms'] }],
    });
    await startWorker();
    const run = await startRunNow();
    await waitForRun(run.id);
    const [message] = await catcher.waitForMessages(1);
    const html = String(message!.parsed.html);
    expect(html).not.toContain('<script>alert(2)');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
  });

  it('a worker closed mid-run and a fresh one finish the run with no duplicates and nothing missing', async () => {
    const many = Array.from({ length: 40 }, (_, index) => ({ email: `reader${index}@example.org`, topics: ['llms'] }));
    await standardFixture(many);
    // Slow answers keep the run in flight while the first worker goes away.
    catcher.slowDown(50);
    const first = await startWorker();
    const run = await startRunNow();
    await vi.waitFor(() => expect(catcher.messages.length).toBeGreaterThan(3), { timeout: 10_000, interval: 20 });
    await first.close();
    runtimes = runtimes.filter((runtime) => runtime !== first);
    const sentBefore = catcher.messages.length;
    await startWorker();
    const { counts } = await waitForRun(run.id);
    expect(counts).toMatchObject({ sent: 42, failed: 0, pending: 0, sending: 0 });
    const recipients = catcher.messages.map((message) => message.envelope.to[0]);
    expect(new Set(recipients).size).toBe(42);
    expect(recipients).toHaveLength(42);
    expect(sentBefore).toBeLessThan(42);
  });

  it('claims a batch a few rows at a time, so someone who unsubscribes while it is being sent gets nothing', async () => {
    const many = Array.from({ length: 30 }, (_, index) => ({ email: `reader${index}@example.org`, topics: ['llms'] }));
    await standardFixture(many);
    catcher.slowDown(40);
    // One job holds the whole run; one connection, so it claims and sends two rows at a time.
    await startWorker({ DIGEST_SEND_BATCH_SIZE: '100', DIGEST_SEND_CONCURRENCY: '1', SMTP_MAX_CONNECTIONS: '1', DIGEST_SEND_LEASE_MS: '60000' });
    const run = await startRunNow();
    const { db } = context.database;
    // Jobs take their rows in id order: the last one is sent last.
    const [last] = await db.select().from(deliveries).where(eq(deliveries.runId, run.id)).orderBy(desc(deliveries.id)).limit(1);
    await vi.waitFor(() => expect(catcher.messages.length).toBeGreaterThan(0), { timeout: 10_000, interval: 10 });
    await db.update(subscribers).set({ status: 'unsubscribed' }).where(eq(subscribers.id, last!.subscriberId));

    const { counts } = await waitForRun(run.id);
    expect(counts).toMatchObject({ sent: 31, cancelled: 1, pending: 0, sending: 0 });
    const [leaver] = await db.select().from(subscribers).where(eq(subscribers.id, last!.subscriberId));
    expect(catcher.messages.map((message) => message.envelope.to[0])).not.toContain(leaver!.email);
  });
});

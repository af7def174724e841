import { consentEvents, subscribers } from '@paperboy/db';
import { hashEmail } from '@paperboy/domain';
import { createQueues, createRedis } from '@paperboy/queue';
import { configFor, startSmtpCatcher, useTestContext } from '@paperboy/testing';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../app.ts';
import { seedTestTopics, startWorker } from '../pages/journey.support.ts';

const SECRET_KEY = 'test-secret-key-for-subscription-tests-0123456789';

describe('POST /api/subscriptions', () => {
  const context = useTestContext();
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    await seedTestTopics(context.database.db);
    app = await buildApp({ config: configFor(context, { SECRET_KEY }), logger: false });
  });
  afterAll(async () => {
    await app?.close();
  });

  const signup = (body: unknown, ip = '198.51.100.1') =>
    app.inject({ method: 'POST', url: '/api/subscriptions', payload: body as object, remoteAddress: ip });
  const subscriberCount = async () => (await context.database.db.select({ value: count() }).from(subscribers))[0]!.value;

  it('answers 202 with the same body whether the address is new, pending, confirmed or unsubscribed', async () => {
    const body = { email: 'same.answer@example.org', topics: ['llms'] };
    const answers = [];
    answers.push(await signup(body, '198.51.100.10')); // new
    answers.push(await signup(body, '198.51.100.10')); // pending
    await context.database.db.update(subscribers).set({ status: 'confirmed' }).where(eq(subscribers.email, body.email));
    answers.push(await signup(body, '198.51.100.10')); // confirmed
    await context.database.db.update(subscribers).set({ status: 'unsubscribed' }).where(eq(subscribers.email, body.email));
    answers.push(await signup(body, '198.51.100.10')); // unsubscribed
    expect(answers.map((answer) => answer.statusCode)).toEqual([202, 202, 202, 202]);
    expect(new Set(answers.map((answer) => answer.body)).size).toBe(1);
    expect(answers[0]!.json()).toEqual({ status: 'accepted', message: expect.any(String) as string });
  });

  it('normalizes the address: trimmed and lowercased, one subscriber for both spellings, keyed by its HMAC', async () => {
    await signup({ email: '  Grace.Hopper@Example.ORG ', topics: ['llms'] }, '198.51.100.11');
    await signup({ email: 'grace.hopper@example.org', topics: ['llms'] }, '198.51.100.11');
    const rows = await context.database.db.select().from(subscribers).where(eq(subscribers.email, 'grace.hopper@example.org'));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.emailHash).toBe(hashEmail({ secretKey: SECRET_KEY, email: 'grace.hopper@example.org' }));
  });

  it('names each bad field in the 400 and stores nothing', async () => {
    const before = await subscriberCount();
    const response = await signup({
      email: 'not-an-address',
      topics: [],
      keywords: ['ok', 'x'.repeat(61), 'tab\there'],
      frequency: 'hourly',
      digestSize: 7,
    }, '198.51.100.12');
    expect(response.statusCode).toBe(400);
    const { error } = response.json<{ error: { code: string; details: { field: string; message: string }[] } }>();
    expect(error.code).toBe('request.invalid');
    const fields = error.details.map((detail) => detail.field);
    expect(fields).toEqual(expect.arrayContaining(['body.email', 'body.topics', 'body.keywords.1', 'body.keywords.2', 'body.frequency', 'body.digestSize']));
    expect(await subscriberCount()).toBe(before);
  });

  it('refuses more than 20 keywords, an address over 254 characters and control characters in the address', async () => {
    const many = await signup({ email: 'many@example.org', topics: ['llms'], keywords: Array.from({ length: 21 }, (_, i) => `k${i}`) }, '198.51.100.13');
    expect(many.json<{ error: { details: { field: string }[] } }>().error.details.map((detail) => detail.field)).toEqual(['body.keywords']);
    const long = await signup({ email: `${'a'.repeat(250)}@example.org`, topics: ['llms'] }, '198.51.100.13');
    expect(long.statusCode).toBe(400);
    const control = await signup({ email: 'ada@example.org\r\nBcc: x@example.org', topics: ['llms'] }, '198.51.100.13');
    expect(control.statusCode).toBe(400);
  });

  it('refuses a topic that does not exist, naming the field, and stores nothing', async () => {
    const before = await subscriberCount();
    const response = await signup({ email: 'unknown.topic@example.org', topics: ['llms', 'astrology'] }, '198.51.100.14');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: {
        code: 'subscriptions.unknown_topics',
        message: 'Invalid body.topics',
        details: [{ field: 'body.topics', message: 'unknown topic: astrology' }],
      },
    });
    expect(await subscriberCount()).toBe(before);
  });

  it('refuses the 11th rapid signup from one IP with 429, and counts other IPs apart', async () => {
    const ip = '203.0.113.77';
    const statuses: number[] = [];
    for (let index = 0; index < 11; index += 1) {
      statuses.push((await signup({ email: `rapid${index}@example.org`, topics: ['llms'] }, ip)).statusCode);
    }
    expect(statuses).toEqual([...Array<number>(10).fill(202), 429]);
    const refused = await signup({ email: 'rapid-late@example.org', topics: ['llms'] }, ip);
    expect(refused.json<{ error: { code: string } }>().error.code).toBe('subscriptions.rate_limited');
    expect(refused.headers['retry-after']).toBeDefined();
    expect((await signup({ email: 'other-ip@example.org', topics: ['llms'] }, '203.0.113.78')).statusCode).toBe(202);
  });

  it('records the signup in the consent log with time, IP, user agent and the topics chosen', async () => {
    await app.inject({
      method: 'POST',
      url: '/api/subscriptions',
      payload: { email: 'consent@example.org', topics: ['llms', 'robotics'], keywords: ['Speculative   Decoding'] },
      remoteAddress: '198.51.100.15',
      headers: { 'user-agent': 'consent-test/1.0' },
    });
    const [subscriber] = await context.database.db.select().from(subscribers).where(eq(subscribers.email, 'consent@example.org'));
    const events = await context.database.db.select().from(consentEvents).where(eq(consentEvents.subscriberId, subscriber!.id));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'signup',
      ip: '198.51.100.15',
      userAgent: 'consent-test/1.0',
      details: { topics: ['llms', 'robotics'], keywordCount: 1, frequency: 'weekly', digestSize: 10 },
    });
    expect(events[0]!.occurredAt).toBeInstanceOf(Date);
  });
});

describe('signup mail', () => {
  const context = useTestContext();

  it('ten signups of one address within ten minutes send one email', async () => {
    await seedTestTopics(context.database.db);
    const catcher = await startSmtpCatcher();
    const worker = await startWorker({ context, catcher, env: { SECRET_KEY } });
    const app = await buildApp({ config: configFor(context, { SECRET_KEY }), logger: false });
    const redis = createRedis({ url: context.redisUrl, role: 'producer' });
    await redis.connect();
    const queues = createQueues({ connection: redis, prefix: context.queuePrefix });
    try {
      for (let index = 0; index < 10; index += 1) {
        const response = await app.inject({
          method: 'POST',
          url: '/api/subscriptions',
          payload: { email: 'bombed@example.org', topics: ['diffusion'] },
          remoteAddress: `192.0.2.${index + 1}`,
        });
        expect(response.statusCode).toBe(202);
        // Spread over time so some signups arrive after the first email went out.
        if (index === 4) await catcher.waitForMessages(1);
      }
      await vi.waitFor(async () => {
        const counts = await queues.get('email').getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        expect(Object.values(counts).reduce((sum, value) => sum + value, 0)).toBe(0);
      }, { timeout: 10_000, interval: 100 });
      expect(catcher.messages).toHaveLength(1);
      expect(catcher.messages[0]!.envelope.to).toEqual(['bombed@example.org']);
      expect(catcher.messages[0]!.parsed.subject).toBe('Confirm your Paperboy subscription');
    } finally {
      await queues.close();
      redis.disconnect();
      await app.close();
      await worker.close();
      await catcher.close();
    }
  });

  it('a confirmed subscriber who signs up again gets a "manage your preferences" email, not a confirmation', async () => {
    await seedTestTopics(context.database.db);
    const catcher = await startSmtpCatcher();
    const worker = await startWorker({ context, catcher, env: { SECRET_KEY } });
    const app = await buildApp({ config: configFor(context, { SECRET_KEY }), logger: false });
    try {
      const payload = { email: 'already@example.org', topics: ['llms'] };
      await app.inject({ method: 'POST', url: '/api/subscriptions', payload });
      const [confirmation] = await catcher.waitForMessages(1);
      const confirmPath = new URL(/https?:\/\/\S+\/confirm\/\S+/.exec(confirmation!.parsed.text!)![0]).pathname;
      expect((await app.inject({ method: 'POST', url: confirmPath })).statusCode).toBe(200);
      // The resend interval counts every subscription email; let the next one through.
      await context.database.db.update(subscribers).set({ lastConfirmationSentAt: null }).where(eq(subscribers.email, payload.email));
      await app.inject({ method: 'POST', url: '/api/subscriptions', payload });
      const [, note] = await catcher.waitForMessages(2);
      expect(note!.parsed.subject).toBe('Your Paperboy subscription');
      expect(note!.parsed.text).toContain('/preferences/');
      expect(note!.parsed.text).not.toContain('/confirm/');
    } finally {
      await app.close();
      await worker.close();
      await catcher.close();
    }
  });

  it('when Redis is down the signup answers 503 quickly, keeps the row, and a later signup sends the mail', async () => {
    await seedTestTopics(context.database.db);
    const down = await buildApp({ config: configFor(context, { SECRET_KEY, REDIS_URL: 'redis://127.0.0.1:1' }), logger: false });
    const payload = { email: 'redis.down@example.org', topics: ['llms'] };
    const started = Date.now();
    const response = await down.inject({ method: 'POST', url: '/api/subscriptions', payload });
    await down.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(response.statusCode).toBe(503);
    expect(response.json<{ error: { code: string } }>().error.code).toBe('queue.unavailable');
    const [kept] = await context.database.db.select().from(subscribers).where(eq(subscribers.email, payload.email));
    expect(kept?.status).toBe('pending');

    const catcher = await startSmtpCatcher();
    const worker = await startWorker({ context, catcher, env: { SECRET_KEY } });
    const up = await buildApp({ config: configFor(context, { SECRET_KEY }), logger: false });
    try {
      expect((await up.inject({ method: 'POST', url: '/api/subscriptions', payload })).statusCode).toBe(202);
      const [message] = await catcher.waitForMessages(1);
      expect(message!.envelope.to).toEqual([payload.email]);
    } finally {
      await up.close();
      await worker.close();
      await catcher.close();
    }
  });
});

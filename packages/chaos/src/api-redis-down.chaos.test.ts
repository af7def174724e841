import { buildApp } from '@paperboy/api';
import { chaosPhaseTimeoutMs, configFor, spawnWorker, startPrivateRedis, startSmtpCatcher, type TPrivateRedis, type TSmtpCatcher, type TWorkerProcess, useTestContext } from '@paperboy/testing';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { report } from './chaos.reconcile.ts';
import { waitUntil } from './chaos.scenario.ts';

type TAnswer = { email: string; status: number; ms: number };

const SIGNUPS_PER_PHASE = 150;

async function signUp(app: FastifyInstance, emails: string[]): Promise<TAnswer[]> {
  const answers: TAnswer[] = [];
  // Bursts of 25 at once: load, without one test's burst starving the other files on the machine.
  for (let start = 0; start < emails.length; start += 25) {
    answers.push(
      ...(await Promise.all(
        emails.slice(start, start + 25).map(async (email, index) => {
          const began = performance.now();
          const response = await app.inject({
            method: 'POST',
            url: '/api/subscriptions',
            remoteAddress: `10.9.${index}.${start % 250}`,
            payload: { email, topics: ['chaos'] },
          });
          return { email, status: response.statusCode, ms: performance.now() - began };
        }),
      )),
    );
  }
  return answers;
}

const addresses = (phase: string) => Array.from({ length: SIGNUPS_PER_PHASE }, (_, n) => `${phase}${n}@signup.example`);
const slowest = (answers: TAnswer[]) => Math.round(Math.max(...answers.map((answer) => answer.ms)));

describe('chaos 5: the API under signup load while Redis is down', () => {
  const context = useTestContext();
  let redis: TPrivateRedis | undefined;
  let catcher: TSmtpCatcher | undefined;
  let worker: TWorkerProcess | undefined;
  let app: FastifyInstance | undefined;

  afterAll(async () => {
    await app?.close();
    await worker?.kill();
    await catcher?.close();
    await redis?.kill();
  });

  it('answers 503 fast while Redis is down, loses no signup it answered 202 to, and recovers when Redis is back', async () => {
    const startedAt = Date.now();
    const { db } = context.database;
    await db.execute(sql`insert into topics (slug, name, description, terms) values ('chaos', 'Chaos', 'Chaos', '[]'::jsonb)`);
    redis = await startPrivateRedis();
    catcher = await startSmtpCatcher({ isParsing: false });
    const smtp = catcher;
    worker = spawnWorker({ DATABASE_URL: context.database.url, REDIS_URL: redis.url, QUEUE_PREFIX: context.queuePrefix, SMTP_URL: smtp.url });
    app = await buildApp({ config: configFor(context, { REDIS_URL: redis.url, SIGNUP_RATE_LIMIT_MAX: '100000' }), logger: false });
    await worker.ready();

    const before = await signUp(app, addresses('before'));
    // Their confirmation jobs live in the Redis about to die: let them go out first.
    await waitUntil(() => smtp.messages.length >= before.filter((a) => a.status === 202).length, { timeoutMs: chaosPhaseTimeoutMs(), what: 'the first confirmations' });

    await redis.kill();
    const during = await signUp(app, addresses('during'));
    const papersDuring = await app.inject({
      method: 'POST',
      url: '/api/admin/papers',
      headers: { authorization: `Bearer ${app.config.security.adminToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify([{ arxivId: '2612.09999', title: 'A paper while Redis is down', abstract: 'Kept, to be matched later.' }]),
    });

    const restartedAt = Date.now();
    await redis.start();
    const live = app;
    await waitUntil(() => live.redis.status === 'ready', { timeoutMs: 30_000, what: 'the API to reconnect to Redis' });
    const recoveryMs = Date.now() - restartedAt;
    const after = await signUp(app, addresses('after'));
    // Sending the form again is how a person answered 503 gets their email.
    const retried = await signUp(app, during.filter((answer) => answer.status !== 202).map((answer) => answer.email));

    const accepted = [...before, ...during, ...after, ...retried].filter((answer) => answer.status === 202);
    const acceptedEmails = new Set(accepted.map((answer) => answer.email));
    await waitUntil(() => new Set(smtp.messages.map((message) => message.envelope.to[0])).size >= acceptedEmails.size, {
      timeoutMs: chaosPhaseTimeoutMs(),
      what: 'a confirmation for every accepted signup',
    });
    const received = new Map<string, number>();
    for (const message of smtp.messages) received.set(message.envelope.to[0]!, (received.get(message.envelope.to[0]!) ?? 0) + 1);
    const { rows } = await db.execute<{ email: string; status: string }>(sql`select email, status from subscribers`);
    const stored = new Map(rows.map((row) => [row.email, row.status]));

    const missing = [...acceptedEmails].filter((email) => !received.has(email));
    const duplicates = [...received.values()].reduce((sum, copies) => sum + copies - 1, 0);
    await report({
      scenario: '5-api-redis-down',
      subscribers: acceptedEmails.size,
      runs: 0,
      runState: 'n/a',
      pauseReason: null,
      planned: accepted.length,
      sent: received.size,
      failed: 0,
      cancelled: 0,
      received: smtp.messages.length,
      duplicates,
      duplicatesAfterData: 0,
      missing: missing.length,
      toUnsubscribed: 0,
      strays: [...received.keys()].filter((email) => !acceptedEmails.has(email)).length,
      durationMs: Date.now() - startedAt,
      notes: [
        `Redis down: ${during.filter((a) => a.status === 503).length}/${during.length} signups answered 503, slowest ${slowest(during)} ms; ingest answered ${papersDuring.statusCode}`,
        `Redis up: slowest signup ${slowest(before)} ms before, ${slowest(after)} ms after; API reconnected ${recoveryMs} ms after Redis came back`,
        `every 503 kept its pending row; all ${retried.length} sent again got 202 and a confirmation`,
      ],
    });

    expect(before.every((answer) => answer.status === 202)).toBe(true);
    expect(during.every((answer) => answer.status === 503)).toBe(true);
    // Fast: the producer refuses at once instead of waiting for a connection (ioredis connectTimeout is 2 s).
    expect(slowest(during)).toBeLessThan(2_000);
    expect(papersDuring.statusCode).toBe(503);
    expect(during.every((answer) => stored.get(answer.email) === 'pending')).toBe(true);
    expect(after.every((answer) => answer.status === 202)).toBe(true);
    expect(retried.every((answer) => answer.status === 202)).toBe(true);
    expect(missing).toEqual([]);
    expect(duplicates).toBe(0);
  }, 3 * chaosPhaseTimeoutMs());
});

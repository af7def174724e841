import { chaosPhaseTimeoutMs, chaosSubscriberCount, spawnWorker, startPrivateRedis, startSmtpCatcher, type TPrivateRedis, type TSmtpCatcher, type TWorkerProcess, useTestContext } from '@paperboy/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { reconcile, report } from './chaos.reconcile.ts';
import { deliveriesInFlight, enqueueStart, planChaosRun, sleep, waitForRunToSettle, waitUntil } from './chaos.scenario.ts';

describe('chaos 3: Redis restarted mid-run with its data lost', () => {
  const context = useTestContext();
  let worker: TWorkerProcess | undefined;
  let catcher: TSmtpCatcher | undefined;
  let redis: TPrivateRedis | undefined;

  afterAll(async () => {
    await worker?.kill();
    await catcher?.close();
    await redis?.kill();
  });

  it('the supervisor rebuilds the lost send jobs from PostgreSQL and the run finishes with nothing missing', async () => {
    const startedAt = Date.now();
    const subscribers = chaosSubscriberCount();
    const { db } = context.database;
    // A Redis of this test's own: the shared one must never lose its data under other tests.
    redis = await startPrivateRedis();
    catcher = await startSmtpCatcher({ isParsing: false });
    const smtp = catcher;
    const { run, unsentBefore } = await planChaosRun({ db, subscribers });
    worker = spawnWorker({ DATABASE_URL: context.database.url, REDIS_URL: redis.url, QUEUE_PREFIX: context.queuePrefix, SMTP_URL: smtp.url });
    await worker.ready();
    await enqueueStart({ redisUrl: redis.url, prefix: context.queuePrefix, runId: run.id });

    await waitUntil(() => smtp.messages.length >= run.plannedCount / 4, { timeoutMs: chaosPhaseTimeoutMs(), what: 'a quarter of the run' });
    await redis.restart();
    const inFlight = await deliveriesInFlight(db);
    const receivedAtLoss = smtp.messages.length;

    const state = await waitForRunToSettle({ db, runId: run.id, timeoutMs: chaosPhaseTimeoutMs() });
    await sleep(1_000);
    const result = await reconcile({
      db,
      scenario: '3-redis-data-lost',
      messages: smtp.messages,
      subscribers,
      unsentBefore,
      inFlightAtFault: inFlight,
      durationMs: Date.now() - startedAt,
      notes: [`Redis killed and restarted empty after ${receivedAtLoss} messages; ${inFlight.size} deliveries in flight`],
    });
    await report(result);

    expect(state).toBe('done');
    expect(result).toMatchObject({ runs: 1, missing: 0, toUnsubscribed: 0, strays: 0, failed: 0, cancelled: 10 });
    expect(result.sent).toBe(run.plannedCount - 10);
    expect(result.duplicates).toBe(result.duplicatesAfterData);
  }, 3 * chaosPhaseTimeoutMs());
});

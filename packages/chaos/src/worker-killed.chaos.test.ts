import { chaosPhaseTimeoutMs, chaosSubscriberCount, configFor, spawnWorker, startSmtpCatcher, type TSmtpCatcher, type TWorkerProcess, useTestContext } from '@paperboy/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { reconcile, report } from './chaos.reconcile.ts';
import { deliveriesInFlight, enqueueStart, planChaosRun, sleep, waitForRunToSettle, waitUntil } from './chaos.scenario.ts';

describe('chaos 1: a worker process killed with SIGKILL mid-run', () => {
  const context = useTestContext();
  const workers: TWorkerProcess[] = [];
  let catcher: TSmtpCatcher | undefined;

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    await catcher?.close();
  });

  it('a fresh worker finishes the run: nothing missing, no mail to anyone who left, duplicates only from sends in flight at the kill', async () => {
    const startedAt = Date.now();
    const subscribers = chaosSubscriberCount();
    const { db } = context.database;
    catcher = await startSmtpCatcher({ isParsing: false });
    const { run, unsentBefore } = await planChaosRun({ db, subscribers });
    const env = { DATABASE_URL: context.database.url, REDIS_URL: context.redisUrl, QUEUE_PREFIX: context.queuePrefix, SMTP_URL: catcher.url };
    configFor(context, env); // the same variables the worker parses; fails here, not in the child, if one is wrong

    workers.push(spawnWorker(env));
    await workers[0]!.ready();
    await enqueueStart({ redisUrl: context.redisUrl, prefix: context.queuePrefix, runId: run.id });
    const current = catcher;
    await waitUntil(() => current.messages.length >= run.plannedCount / 4, { timeoutMs: chaosPhaseTimeoutMs(), what: 'a quarter of the run to be sent' });
    await workers[0]!.kill();
    const inFlight = await deliveriesInFlight(db);
    const receivedAtKill = catcher.messages.length;

    await sleep(500);
    workers.push(spawnWorker(env));
    const state = await waitForRunToSettle({ db, runId: run.id, timeoutMs: chaosPhaseTimeoutMs() });
    // Anything still on its way would arrive within a lease; none should.
    await sleep(1_000);

    const result = await reconcile({
      db,
      scenario: '1-worker-sigkill',
      messages: catcher.messages,
      subscribers,
      unsentBefore,
      inFlightAtFault: inFlight,
      durationMs: Date.now() - startedAt,
      notes: [`killed after ${receivedAtKill} messages with ${inFlight.size} deliveries claimed and not yet recorded`],
    });
    await report(result);

    expect(state).toBe('done');
    expect(result).toMatchObject({ runs: 1, missing: 0, toUnsubscribed: 0, strays: 0, failed: 0, cancelled: 10 });
    expect(result.sent).toBe(run.plannedCount - 10);
    expect(result.duplicates).toBe(result.duplicatesAfterData);
    expect(result.duplicates).toBeLessThanOrEqual(inFlight.size);
  }, 3 * chaosPhaseTimeoutMs());
});

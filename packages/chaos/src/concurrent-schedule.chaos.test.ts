import { createRun } from '@paperboy/domain';
import { createQueues, createRedis } from '@paperboy/queue';
import { chaosPhaseTimeoutMs, chaosSubscriberCount, spawnWorker, startSmtpCatcher, type TSmtpCatcher, type TWorkerProcess, useTestContext } from '@paperboy/testing';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { insertChaosAudience } from './chaos.fixture.ts';
import { reconcile, report } from './chaos.reconcile.ts';
import { enqueueStart, notConfirmed, sleep, waitForRunToSettle, waitUntil } from './chaos.scenario.ts';

describe('chaos 6: two workers and a scheduler firing the same weekly run at the same moment', () => {
  const context = useTestContext();
  const workers: TWorkerProcess[] = [];
  let catcher: TSmtpCatcher | undefined;

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    await catcher?.close();
  });

  it('makes one run and sends each digest once', async () => {
    const startedAt = Date.now();
    const subscribers = chaosSubscriberCount();
    const { db } = context.database;
    catcher = await startSmtpCatcher({ isParsing: false });
    const smtp = catcher;
    await insertChaosAudience({ db, count: subscribers });
    const unsentBefore = await notConfirmed(db);
    const env = { DATABASE_URL: context.database.url, REDIS_URL: context.redisUrl, QUEUE_PREFIX: context.queuePrefix, SMTP_URL: smtp.url };
    workers.push(spawnWorker(env), spawnWorker(env));
    await Promise.all(workers.map((worker) => worker.ready()));

    // Two scheduler ticks (as if each worker's scheduler fired) and a third caller, all at once.
    const redis = createRedis({ url: context.redisUrl, role: 'producer' });
    await redis.connect();
    const queues = createQueues({ connection: redis, prefix: context.queuePrefix });
    const settings = { lookbackDays: { weekly: 7, daily: 1 }, maxFailureRatio: 0.2 };
    const [, , direct] = await Promise.all([
      queues.enqueue({ queue: 'digest-runs', job: 'scheduled', payload: { frequency: 'weekly' }, jobId: 'tick-a' }),
      queues.enqueue({ queue: 'digest-runs', job: 'scheduled', payload: { frequency: 'weekly' }, jobId: 'tick-b' }),
      createRun({ db, frequency: 'weekly', trigger: 'schedule', isDryRun: false, now: new Date(), settings }),
    ]);
    await queues.close();
    redis.disconnect();
    // The third caller acts like the job handler: whoever created the run starts it.
    if (direct.isNew) await enqueueStart({ redisUrl: context.redisUrl, prefix: context.queuePrefix, runId: direct.run.id });

    await waitUntil(
      async () => (await db.execute<{ count: number }>(sql`select count(*)::int as count from digest_runs`)).rows[0]!.count > 0,
      { timeoutMs: 30_000, what: 'the run' },
    );
    const state = await waitForRunToSettle({ db, runId: direct.run.id, timeoutMs: chaosPhaseTimeoutMs(), explain: () => workers.map((worker) => worker.output().slice(-2000)).join('\n') });
    // Give a late tick the time to make a second run, if it could.
    await sleep(1_500);
    const result = await reconcile({
      db,
      scenario: '6-concurrent-schedule',
      messages: smtp.messages,
      subscribers,
      unsentBefore,
      durationMs: Date.now() - startedAt,
      notes: [`the direct caller ${direct.isNew ? 'created' : 'found'} the run; two worker processes shared the sends`],
    });
    await report(result);

    expect(state).toBe('done');
    expect(result).toMatchObject({ runs: 1, missing: 0, duplicates: 0, toUnsubscribed: 0, strays: 0, failed: 0 });
    expect(result.sent).toBe(subscribers);
  }, 3 * chaosPhaseTimeoutMs());
});

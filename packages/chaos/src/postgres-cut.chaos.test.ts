import { chaosPhaseTimeoutMs, chaosSubscriberCount, spawnWorker, startSmtpCatcher, type TSmtpCatcher, type TWorkerProcess, useTestContext } from '@paperboy/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { reconcile, report } from './chaos.reconcile.ts';
import { enqueueStart, planChaosRun, sleep, waitForRunToSettle, waitUntil } from './chaos.scenario.ts';

const CUT_FOR_MS = 3_000;

/**
 * Terminates every other backend of the test database every 100 ms for `forMs` (the shared
 * server itself stays up). Between cuts it notes which deliveries are claimed and unrecorded:
 * those are the only ones a lost UPDATE after a 250 could send twice.
 */
async function cutConnections({ url, database, forMs }: { url: string; database: string; forMs: number }) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const inFlight = new Set<string>();
  let terminated = 0;
  try {
    const until = Date.now() + forMs;
    while (Date.now() < until) {
      const { rows: sending } = await client.query<{ id: string }>("select id from deliveries where state = 'sending'");
      for (const row of sending) inFlight.add(row.id);
      const { rowCount } = await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
      terminated += rowCount ?? 0;
      await sleep(100);
    }
  } finally {
    await client.end();
  }
  return { inFlight, terminated };
}

describe('chaos 4: PostgreSQL connections cut for a few seconds mid-run', () => {
  const context = useTestContext();
  let worker: TWorkerProcess | undefined;
  let catcher: TSmtpCatcher | undefined;

  afterAll(async () => {
    await worker?.kill();
    await catcher?.close();
  });

  it('the worker reconnects and finishes the run with nothing missing and no mail to anyone who left', async () => {
    const startedAt = Date.now();
    const subscribers = chaosSubscriberCount();
    const { db } = context.database;
    catcher = await startSmtpCatcher({ isParsing: false });
    const smtp = catcher;
    const { run, unsentBefore } = await planChaosRun({ db, subscribers });
    worker = spawnWorker({ DATABASE_URL: context.database.url, REDIS_URL: context.redisUrl, QUEUE_PREFIX: context.queuePrefix, SMTP_URL: smtp.url });
    await worker.ready();
    await enqueueStart({ redisUrl: context.redisUrl, prefix: context.queuePrefix, runId: run.id });

    await waitUntil(() => smtp.messages.length >= run.plannedCount / 4, { timeoutMs: chaosPhaseTimeoutMs(), what: 'a quarter of the run' });
    const cut = await cutConnections({ url: context.database.url, database: context.database.name, forMs: CUT_FOR_MS });

    const state = await waitForRunToSettle({ db, runId: run.id, timeoutMs: chaosPhaseTimeoutMs(), explain: () => worker!.output().slice(-4000) });
    await sleep(1_000);
    const result = await reconcile({
      db,
      scenario: '4-postgres-cut',
      messages: smtp.messages,
      subscribers,
      unsentBefore,
      inFlightAtFault: cut.inFlight,
      durationMs: Date.now() - startedAt,
      notes: [`${cut.terminated} backends terminated over ${CUT_FOR_MS / 1000} s; ${cut.inFlight.size} deliveries seen claimed during the cut`],
    });
    await report(result);

    expect(state).toBe('done');
    expect(result).toMatchObject({ runs: 1, missing: 0, toUnsubscribed: 0, strays: 0, failed: 0, cancelled: 10 });
    expect(result.sent).toBe(run.plannedCount - 10);
    expect(cut.terminated).toBeGreaterThan(0);
    // The worker retries recording a send for a few seconds, so a short cut costs no second copy.
    expect(result.duplicates).toBe(0);
  }, 3 * chaosPhaseTimeoutMs());
});

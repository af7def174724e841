import type { TDatabase, TDb } from '@paperboy/db';
import { createRun } from '@paperboy/domain';
import { createQueues, createRedis } from '@paperboy/queue';
import { sql } from 'drizzle-orm';
import { insertChaosAudience, unsubscribeBeforeStart } from './chaos.fixture.ts';

const SETTINGS = { lookbackDays: { weekly: 7, daily: 1 }, maxFailureRatio: 0.2 };

export async function waitUntil(check: () => Promise<boolean> | boolean, { timeoutMs, what }: { timeoutMs: number; what: string }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The audience, a planned weekly run, and a few readers who unsubscribe after planning but
 * before the start. Returns who must get nothing: everyone not confirmed when the run started.
 */
export async function planChaosRun({ db, subscribers }: { db: TDatabase; subscribers: number }) {
  await insertChaosAudience({ db, count: subscribers });
  const { run } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, now: new Date(), settings: SETTINGS });
  const leftAfterPlanning = await unsubscribeBeforeStart({ db, count: 10 });
  return { run, leftAfterPlanning, unsentBefore: await notConfirmed(db) };
}

export async function notConfirmed(db: TDb): Promise<Set<string>> {
  const { rows } = await db.execute<{ id: string }>(sql`select id from subscribers where status <> 'confirmed'`);
  return new Set(rows.map((row) => row.id));
}

/** What an admin's POST /api/admin/digests does: a `digest-runs/start` job for the worker. */
export async function enqueueStart({ redisUrl, prefix, runId }: { redisUrl: string; prefix: string; runId: string }) {
  const redis = createRedis({ url: redisUrl, role: 'producer' });
  await redis.connect();
  const queues = createQueues({ connection: redis, prefix });
  try {
    await queues.enqueue({ queue: 'digest-runs', job: 'start', payload: { runId }, jobId: `start-${runId}` });
  } finally {
    await queues.close();
    redis.disconnect();
  }
}

export async function runState(db: TDb, runId: string) {
  const { rows } = await db.execute<{ state: string }>(sql`select state from digest_runs where id = ${runId}::uuid`);
  return rows[0]?.state;
}

/** Waits until the run is done or paused: the two endings the promise allows. On a timeout, says where it stuck. */
export async function waitForRunToSettle({ db, runId, timeoutMs, explain }: { db: TDb; runId: string; timeoutMs: number; explain?: () => string }) {
  try {
    await waitUntil(async () => ['done', 'paused'].includes((await runState(db, runId)) ?? ''), { timeoutMs, what: `run ${runId} to finish` });
  } catch (error) {
    const { rows } = await db.execute<{ state: string; count: number; attempts: number }>(
      sql`select state, count(*)::int as count, max(attempts) as attempts from deliveries group by state`,
    );
    throw new Error(`${(error as Error).message}; run ${await runState(db, runId)}, deliveries ${JSON.stringify(rows)}\n${explain?.() ?? ''}`, { cause: error });
  }
  return runState(db, runId);
}

/** Deliveries claimed and not yet recorded: the only ones a fault may send twice. */
export async function deliveriesInFlight(db: TDb): Promise<Set<string>> {
  const { rows } = await db.execute<{ id: string }>(sql`select id from deliveries where state = 'sending'`);
  return new Set(rows.map((row) => row.id));
}

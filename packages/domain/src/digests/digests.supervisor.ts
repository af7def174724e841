import type { TDatabase } from '@paperboy/db';
import { sql } from 'drizzle-orm';
import { createDigestsRepository, type TDigestRun } from './digests.repository.ts';
import type { TEnqueueSends } from './digests.usecases.ts';
import { bounceRateBreach, type TRunRateLimits } from '../deliverability/deliverability.rates.ts';

// Below this many failures a run never pauses itself: one bad address in a small run is not a pattern.
const MIN_FAILURES_TO_PAUSE = 5;
const SUPERVISOR_LOCK = 7_311_001;

export type TSupervision = { runId: string; outcome: 'done' | 'paused' | 'started' | 'sending'; requeued: number };

/**
 * Postgres is the truth and the queue is transport. Every few seconds one worker (an
 * advisory lock picks it) looks at the runs that should be moving and:
 * - once the send queue has run dry, re-enqueues deliveries no job has touched for `idleMs`
 *   (Redis lost its data, a worker died mid-send, a job gave up). While the queue still holds
 *   send jobs, pending rows are simply waiting their turn: re-adding tens of thousands of
 *   jobs every few seconds (deduplicated, but each one a Lua call) would stall Redis for the
 *   very workers draining it;
 * - finishes runs with nothing left to send, and refreshes their counts;
 * - pauses runs whose failures passed their limit, saying why;
 * - starts planned runs that were never started (their creator died in between).
 */
export async function superviseRuns({
  db,
  enqueueSends,
  countQueuedSends,
  now,
  idleMs,
  rateLimits,
}: {
  db: TDatabase;
  enqueueSends: TEnqueueSends;
  /** Send jobs waiting, active or delayed in the queue, across all runs. */
  countQueuedSends: () => Promise<number>;
  now: Date;
  idleMs: number;
  /** Pause a run whose hard-bounce or complaint rate passes these (RUN_MAX_HARD_BOUNCE_RATE, RUN_MAX_COMPLAINT_RATE). */
  rateLimits?: TRunRateLimits;
}): Promise<TSupervision[] | undefined> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.execute<{ locked: boolean }>(sql`select pg_try_advisory_xact_lock(${SUPERVISOR_LOCK}) as locked`);
    if (!rows[0]?.locked) return undefined;
    const repository = createDigestsRepository({ db: tx });
    const idleBefore = new Date(now.getTime() - idleMs);
    const results: TSupervision[] = [];

    const { runs: stalePlanned } = await repository.listRunsInState({ state: 'planned' });
    for (const run of stalePlanned.filter((candidate) => !candidate.isDryRun && candidate.createdAt <= idleBefore)) {
      await repository.transitionRun({ runId: run.id, from: ['planned'], to: 'sending', set: { startedAt: now } });
    }

    const { runs } = await repository.listRunsInState({ state: 'sending' });
    const isQueueDry = runs.length > 0 && (await countQueuedSends()) === 0;
    for (const run of runs) {
      const wasPlanned = stalePlanned.some((planned) => planned.id === run.id);
      const rateBreach = rateLimits && (await bounceRateBreach({ db: tx, runId: run.id, limits: rateLimits }));
      results.push(await superviseRun({ repository, run, enqueueSends, now, idleBefore, wasPlanned, mayRequeue: isQueueDry || wasPlanned, rateBreach }));
    }
    return results;
  });
}

async function superviseRun({
  repository,
  run,
  enqueueSends,
  now,
  idleBefore,
  wasPlanned,
  mayRequeue,
  rateBreach,
}: {
  repository: ReturnType<typeof createDigestsRepository>;
  run: TDigestRun;
  enqueueSends: TEnqueueSends;
  now: Date;
  idleBefore: Date;
  wasPlanned: boolean;
  mayRequeue: boolean;
  rateBreach?: string;
}): Promise<TSupervision> {
  const { counts } = await repository.countDeliveries({ runId: run.id });
  const tally = { sentCount: counts.sent, failedCount: counts.failed };
  if (counts.pending + counts.sending === 0) {
    await repository.transitionRun({ runId: run.id, from: ['sending'], to: 'done', set: { ...tally, finishedAt: now } });
    return { runId: run.id, outcome: 'done', requeued: 0 };
  }
  if (counts.failed >= MIN_FAILURES_TO_PAUSE && counts.failed > run.maxFailureRatio * run.plannedCount) {
    const share = Math.round((counts.failed / Math.max(run.plannedCount, 1)) * 100);
    const reason = `${counts.failed} of ${run.plannedCount} deliveries failed (${share}%), above this run's limit of ${Math.round(run.maxFailureRatio * 100)}%. Check the SMTP server and the failed deliveries, then resume or retry.`;
    await repository.transitionRun({ runId: run.id, from: ['sending'], to: 'paused', set: { ...tally, pauseReason: reason } });
    return { runId: run.id, outcome: 'paused', requeued: 0 };
  }
  if (rateBreach) {
    await repository.transitionRun({ runId: run.id, from: ['sending'], to: 'paused', set: { ...tally, pauseReason: rateBreach } });
    return { runId: run.id, outcome: 'paused', requeued: 0 };
  }
  await repository.updateRun({ runId: run.id, set: tally });
  if (!mayRequeue) return { runId: run.id, outcome: 'sending', requeued: 0 };
  const { deliveries } = await repository.listDeliveriesToSend({ runId: run.id, idleBefore: wasPlanned ? now : idleBefore });
  await enqueueSends({ runId: run.id, deliveries });
  return { runId: run.id, outcome: wasPlanned ? 'started' : 'sending', requeued: deliveries.length };
}

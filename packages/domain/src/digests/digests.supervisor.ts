import type { TDatabase } from '@paperboy/db';
import { sql } from 'drizzle-orm';
import type { TDeliveryToSend } from './digests.deliveries.repository.ts';
import { createDigestsRepository, type TDigestRun } from './digests.repository.ts';
import type { TEnqueueSends } from './digests.usecases.ts';
import { bounceRateBreach, type TRunRateLimits } from '../deliverability/deliverability.rates.ts';

// Below this many failures a run never pauses itself: one bad address in a small run is not a pattern.
const MIN_FAILURES_TO_PAUSE = 5;
const SUPERVISOR_LOCK = 7_311_001;

export type TSupervision = { runId: string; outcome: 'done' | 'paused' | 'started' | 'sending'; requeued: number };

type TDecision = TSupervision & { toSend: TDeliveryToSend[] };

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
 *
 * No transaction spans a Redis call: the queue is measured before the transaction, the
 * decisions are committed, and only then are the chosen deliveries enqueued. A Redis that
 * hangs therefore holds no row lock, and an admin's pause or cancel goes through. A delivery
 * enqueued for a run paused in between is harmless: a send job claims only rows of sending runs.
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
  const { runs: moving } = await createDigestsRepository({ db }).listRunsInState({ state: ['planned', 'sending'] });
  const isQueueDry = moving.some((run) => run.state === 'sending') && (await countQueuedSends()) === 0;
  const decisions = await decide({ db, now, idleMs, isQueueDry, rateLimits });
  if (!decisions) return undefined;
  for (const { runId, toSend } of decisions) {
    if (toSend.length > 0) await enqueueSends({ runId, deliveries: toSend });
  }
  return decisions.map(({ runId, outcome, requeued }) => ({ runId, outcome, requeued }));
}

/** The PostgreSQL half, in one short transaction: state changes, counts, and which deliveries to enqueue. */
async function decide({
  db,
  now,
  idleMs,
  isQueueDry,
  rateLimits,
}: {
  db: TDatabase;
  now: Date;
  idleMs: number;
  isQueueDry: boolean;
  rateLimits?: TRunRateLimits;
}) {
  return db.transaction(async (tx) => {
    const { rows } = await tx.execute<{ locked: boolean }>(sql`select pg_try_advisory_xact_lock(${SUPERVISOR_LOCK}) as locked`);
    if (!rows[0]?.locked) return undefined;
    const repository = createDigestsRepository({ db: tx });
    const idleBefore = new Date(now.getTime() - idleMs);

    const { runs: planned } = await repository.listRunsInState({ state: ['planned'] });
    const started = new Set<string>();
    for (const run of planned.filter((candidate) => !candidate.isDryRun && candidate.createdAt <= idleBefore)) {
      const { run: moved } = await repository.transitionRun({ runId: run.id, from: ['planned'], to: 'sending', set: { startedAt: now } });
      if (moved) started.add(moved.id);
    }

    const { runs } = await repository.listRunsInState({ state: ['sending'] });
    const decisions: TDecision[] = [];
    for (const run of runs) {
      const wasPlanned = started.has(run.id);
      const rateBreach = rateLimits && (await bounceRateBreach({ db: tx, run, limits: rateLimits }));
      decisions.push(await superviseRun({ repository, run, now, idleBefore, wasPlanned, mayRequeue: isQueueDry || wasPlanned, rateBreach }));
    }
    return decisions;
  });
}

async function superviseRun({
  repository,
  run,
  now,
  idleBefore,
  wasPlanned,
  mayRequeue,
  rateBreach,
}: {
  repository: ReturnType<typeof createDigestsRepository>;
  run: TDigestRun;
  now: Date;
  idleBefore: Date;
  wasPlanned: boolean;
  mayRequeue: boolean;
  rateBreach?: string;
}): Promise<TDecision> {
  const { counts } = await repository.countDeliveries({ runId: run.id });
  const tally = { sentCount: counts.sent, failedCount: counts.failed };
  if (counts.pending + counts.sending === 0) {
    await repository.transitionRun({ runId: run.id, from: ['sending'], to: 'done', set: { ...tally, finishedAt: now } });
    return { runId: run.id, outcome: 'done', requeued: 0, toSend: [] };
  }
  if (counts.failed >= MIN_FAILURES_TO_PAUSE && counts.failed > run.maxFailureRatio * run.plannedCount) {
    const share = Math.round((counts.failed / Math.max(run.plannedCount, 1)) * 100);
    const reason = `${counts.failed} of ${run.plannedCount} deliveries failed (${share}%), above this run's limit of ${Math.round(run.maxFailureRatio * 100)}%. Check the SMTP server and the failed deliveries, then resume or retry.`;
    await repository.transitionRun({ runId: run.id, from: ['sending'], to: 'paused', set: { ...tally, pauseReason: reason } });
    return { runId: run.id, outcome: 'paused', requeued: 0, toSend: [] };
  }
  if (rateBreach) {
    await repository.transitionRun({ runId: run.id, from: ['sending'], to: 'paused', set: { ...tally, pauseReason: rateBreach } });
    return { runId: run.id, outcome: 'paused', requeued: 0, toSend: [] };
  }
  await repository.updateRun({ runId: run.id, set: tally });
  if (!mayRequeue) return { runId: run.id, outcome: 'sending', requeued: 0, toSend: [] };
  const { deliveries } = await repository.listDeliveriesToSend({ runId: run.id, idleBefore: wasPlanned ? now : idleBefore });
  return { runId: run.id, outcome: wasPlanned ? 'started' : 'sending', requeued: deliveries.length, toSend: deliveries };
}

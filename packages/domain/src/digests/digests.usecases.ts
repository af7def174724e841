import type { TConfig } from '@paperboy/config';
import type { TDatabase, TDb } from '@paperboy/db';
import { inRolledBackTransaction } from '../shared/transactions.ts';
import { runNotFound, runStateConflict } from './digests.errors.ts';
import { periodFor, type TFrequency } from './digests.periods.ts';
import { planDeliveries } from './digests.planning.ts';
import type { TDeliveryToSend } from './digests.deliveries.repository.ts';
import { createDigestsRepository, notMailedSince, type TDigestRun } from './digests.repository.ts';

/** Puts a run's deliveries on the send queue, in batches; the service layer provides it (packages stay free of BullMQ). */
export type TEnqueueSends = (input: { runId: string; deliveries: TDeliveryToSend[] }) => Promise<void>;

export type TRunSettings = { lookbackDays: Record<TFrequency, number>; maxFailureRatio: number };

export function runSettingsFromConfig(config: TConfig): TRunSettings {
  return { lookbackDays: config.digests.lookbackDays, maxFailureRatio: config.digests.maxFailureRatio };
}

export type TCreateRunResult = { run: TDigestRun; isNew: boolean };

/**
 * Creates a run and plans its deliveries in one transaction, so a run is never seen half
 * planned. A scheduled run whose period already has one returns that run instead.
 * A dry run plans inside the transaction, keeps only the counts, and rolls the rows back.
 *
 * One digest per reader per period: readers already sent a digest since the period began
 * (Monday 00:00 UTC, or midnight for daily) are left out and counted in `alreadyMailedCount`,
 * unless `force` asks to mail them again. Papers they did not get wait for the next period;
 * `sent_papers` keeps the ones they did get out of it. Real runs of one frequency are planned
 * one at a time, so two admins starting runs at once cannot both plan the same reader.
 */
export async function createRun({
  db,
  frequency,
  trigger,
  isDryRun,
  force = false,
  now,
  settings,
}: {
  db: TDatabase;
  frequency: TFrequency;
  trigger: 'schedule' | 'admin';
  isDryRun: boolean;
  force?: boolean;
  now: Date;
  settings: TRunSettings;
}): Promise<TCreateRunResult> {
  const period = periodFor({ frequency, now, lookbackDays: settings.lookbackDays[frequency] });
  const values = {
    frequency,
    trigger,
    isDryRun,
    isForced: force,
    periodKey: period.key,
    periodStart: period.start,
    periodEnd: period.end,
    maxFailureRatio: settings.maxFailureRatio,
  };
  const audienceFilter = force ? undefined : notMailedSince(period.calendarStart);
  const plan = async (tx: TDb, runId: string) => {
    const { count } = force ? { count: 0 } : await createDigestsRepository({ db: tx }).countAlreadyMailed({ frequency, since: period.calendarStart, now });
    const counts = await planDeliveries({ db: tx, runId, frequency, periodStart: period.start, periodEnd: period.end, now, audienceFilter });
    return { plannedCount: counts.planned, skippedCount: counts.eligible - counts.planned, alreadyMailedCount: count };
  };
  if (isDryRun) {
    const counts = await inRolledBackTransaction(db, async (tx) => {
      const { run } = await createDigestsRepository({ db: tx }).insertRun({ values });
      return plan(tx, run!.id);
    });
    const { run } = await createDigestsRepository({ db }).insertRun({ values: { ...values, ...counts, state: 'done', finishedAt: now } });
    return { run: run!, isNew: true };
  }

  return db.transaction(async (tx) => {
    const repository = createDigestsRepository({ db: tx });
    // First, so that planning reads the deliveries of a run planned just before this one.
    await repository.lockPlanning({ frequency });
    const { run } = await repository.insertRun({ values });
    if (!run) {
      const { run: existing } = await repository.findScheduledRun({ frequency, periodKey: period.key });
      return { run: existing!, isNew: false };
    }
    const { run: planned } = await repository.updateRun({ runId: run.id, set: await plan(tx, run.id) });
    return { run: planned!, isNew: true };
  });
}

async function requireRun(db: TDb, runId: string): Promise<TDigestRun> {
  const { run } = await createDigestsRepository({ db }).getRun({ runId });
  if (!run) throw runNotFound(runId);
  return run;
}

/** Starts sending a planned run: every pending delivery gets a send job. */
export async function startRun({ db, runId, enqueueSends, now }: { db: TDatabase; runId: string; enqueueSends: TEnqueueSends; now: Date }) {
  const repository = createDigestsRepository({ db });
  const { run } = await repository.transitionRun({ runId, from: ['planned'], to: 'sending', set: { startedAt: now } });
  if (!run) throw runStateConflict('start', (await requireRun(db, runId)).state);
  await enqueuePending({ db, runId, enqueueSends, now });
  return { run };
}

/** Enqueues every delivery not yet sent. Each job claims its rows, so a row enqueued twice is still sent once. */
export async function enqueuePending({ db, runId, enqueueSends, now }: { db: TDatabase; runId: string; enqueueSends: TEnqueueSends; now: Date }) {
  const { deliveries } = await createDigestsRepository({ db }).listDeliveriesToSend({ runId, idleBefore: now });
  await enqueueSends({ runId, deliveries });
  return { enqueued: deliveries.length };
}

export async function pauseRun({ db, runId, reason }: { db: TDatabase; runId: string; reason: string }) {
  const { run } = await createDigestsRepository({ db }).transitionRun({
    runId,
    from: ['sending', 'planned'],
    to: 'paused',
    set: { pauseReason: reason },
  });
  if (!run) throw runStateConflict('pause', (await requireRun(db, runId)).state);
  return { run };
}

export async function resumeRun({ db, runId, enqueueSends, now }: { db: TDatabase; runId: string; enqueueSends: TEnqueueSends; now: Date }) {
  const { run } = await createDigestsRepository({ db }).transitionRun({
    runId,
    from: ['paused'],
    to: 'sending',
    set: { pauseReason: null, startedAt: now },
  });
  if (!run) throw runStateConflict('resume', (await requireRun(db, runId)).state);
  await enqueuePending({ db, runId, enqueueSends, now });
  return { run };
}

export async function cancelRun({ db, runId, now }: { db: TDatabase; runId: string; now: Date }) {
  return db.transaction(async (tx) => {
    const repository = createDigestsRepository({ db: tx });
    const { run } = await repository.transitionRun({
      runId,
      from: ['planned', 'sending', 'paused'],
      to: 'cancelled',
      set: { finishedAt: now },
    });
    if (!run) throw runStateConflict('cancel', (await requireRun(tx, runId)).state);
    await repository.cancelPending({ runId });
    return { run };
  });
}

/** Gives failed deliveries another go: back to pending, and the run sends again. */
export async function retryFailed({ db, runId, enqueueSends, now }: { db: TDatabase; runId: string; enqueueSends: TEnqueueSends; now: Date }) {
  const { count, run } = await db.transaction(async (tx) => {
    const repository = createDigestsRepository({ db: tx });
    const { run } = await repository.transitionRun({
      runId,
      from: ['done', 'paused', 'failed', 'sending'],
      to: 'sending',
      set: { finishedAt: null, pauseReason: null },
    });
    if (!run) throw runStateConflict('retry', (await requireRun(tx, runId)).state);
    const { count } = await repository.resetFailed({ runId });
    return { count, run };
  });
  await enqueuePending({ db, runId, enqueueSends, now });
  return { run, retried: count };
}

export async function getRunProgress({ db, runId }: { db: TDatabase; runId: string }) {
  const run = await requireRun(db, runId);
  const { counts } = await createDigestsRepository({ db }).countDeliveries({ runId });
  const finished = counts.sent + counts.failed + counts.cancelled;
  return { run, counts, progress: run.plannedCount === 0 ? 1 : finished / run.plannedCount };
}

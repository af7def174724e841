import {
  createRun,
  findUnsentConfirmations,
  sendDelivery,
  startRun,
  runSettingsFromConfig,
  superviseRuns,
  type TDigestComposer,
} from '@paperboy/domain';
import { createEnqueueSends, type THandlers } from '@paperboy/queue';
import type { TWorkerDeps } from '../deps.ts';

export function createDigestRunHandlers(deps: TWorkerDeps): THandlers<'digest-runs'> {
  const enqueueSends = createEnqueueSends(deps.queues);
  return {
    // Two scheduler firings for one period find the same run; only the first plans and starts it.
    scheduled: async ({ frequency }) => {
      const { run, isNew } = await createRun({
        db: deps.db,
        frequency,
        trigger: 'schedule',
        isDryRun: false,
        now: new Date(),
        settings: runSettingsFromConfig(deps.config),
      });
      if (isNew) await startRun({ db: deps.db, runId: run.id, enqueueSends, now: new Date() });
      return { runId: run.id, isNew };
    },
    start: async ({ runId }) => {
      const { run } = await startRun({ db: deps.db, runId, enqueueSends, now: new Date() });
      return { runId: run.id };
    },
  };
}

export function createDigestSendHandlers(deps: TWorkerDeps & { composer: TDigestComposer }): THandlers<'digest-sends'> {
  return {
    send: async ({ deliveryId }) => {
      const result = await sendDelivery({
        db: deps.db,
        mailer: deps.mailer,
        composer: deps.composer,
        deliveryId,
        now: new Date(),
        leaseMs: deps.config.digests.leaseMs,
        maxAttempts: deps.config.digests.maxAttempts,
      });
      if (result.outcome === 'failed') deps.logger.warn({ deliveryId, reason: result.reason }, 'delivery failed');
      return result;
    },
  };
}


const CONFIRMATION_GRACE_MS = 2 * 60_000;

/** Re-queues confirmations Redis lost (see findUnsentConfirmations); job ids dedupe within a grace period. */
async function sweepUnsentConfirmations(deps: TWorkerDeps) {
  const now = Date.now();
  const { subscriberIds } = await findUnsentConfirmations({
    db: deps.db,
    createdBefore: new Date(now - CONFIRMATION_GRACE_MS),
    createdAfter: new Date(now - deps.config.subscriptions.tokenTtlDays.confirm * 86_400_000),
    limit: 1_000,
  });
  const bucket = Math.floor(now / CONFIRMATION_GRACE_MS);
  await deps.queues.enqueueMany({
    queue: 'email',
    job: 'confirmation',
    items: subscriberIds.map((subscriberId) => ({ payload: { subscriberId }, jobId: `confirmation-${subscriberId}-sweep-${bucket}` })),
  });
}

/** Runs the supervisors on a timer, independent of Redis, so what a lost queue held is rebuilt from Postgres. */
export function startRunSupervisor(deps: TWorkerDeps): { stop: () => Promise<void> } {
  const enqueueSends = createEnqueueSends(deps.queues);
  const countQueuedSends = async () => {
    const counts = await deps.queues.get('digest-sends').getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  };
  let current: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    current = Promise.all([
      superviseRuns({ db: deps.db, enqueueSends, countQueuedSends, now: new Date(), idleMs: deps.config.digests.leaseMs }),
      sweepUnsentConfirmations(deps),
    ]).catch((error: Error) => deps.logger.warn({ err: error }, 'supervision failed; will try again'));
  }, deps.config.digests.supervisorIntervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await current;
    },
  };
}

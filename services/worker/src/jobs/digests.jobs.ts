import {
  createRun,
  sendDeliveries,
  startRun,
  runSettingsFromConfig,
  type TDigestComposer,
} from '@paperboy/domain';
import { createEnqueueSends, type THandlers } from '@paperboy/queue';
import type { TWorkerDeps } from '../deps.ts';

export function createDigestRunHandlers(deps: TWorkerDeps): THandlers<'digest-runs'> {
  const enqueueSends = createEnqueueSends(deps.queues, { batchSize: deps.config.digests.sendBatchSize });
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
    // The send batches of a run started by a request carry that request's trace id.
    start: async ({ runId, traceId }) => {
      const traced = createEnqueueSends(deps.queues, { batchSize: deps.config.digests.sendBatchSize, traceId });
      const { run } = await startRun({ db: deps.db, runId, enqueueSends: traced, now: new Date() });
      return { runId: run.id };
    },
  };
}

export function createDigestSendHandlers(deps: TWorkerDeps & { composer: TDigestComposer }): THandlers<'digest-sends'> {
  return {
    send: async ({ runId, deliveryIds }) => {
      const outcome = await sendDeliveries({
        db: deps.db,
        mailer: deps.mailer,
        composer: deps.composer,
        deliveryIds,
        leaseMs: deps.config.digests.leaseMs,
        maxAttempts: deps.config.digests.maxAttempts,
        inFlight: deps.config.digests.sendInFlight,
      });
      for (const { deliveryId, reason } of outcome.failed) deps.logger.warn({ runId, deliveryId, reason }, 'delivery failed');
      // The job's return value is kept in Redis with the finished job: counts only.
      return { sent: outcome.sent, failed: outcome.failed.length, skipped: outcome.skipped, cancelled: outcome.cancelled };
    },
  };
}


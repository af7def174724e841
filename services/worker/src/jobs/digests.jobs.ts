import {
  createRun,
  sendDeliveries,
  startRun,
  runSettingsFromConfig,
  verpAddress,
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
  const { bounceDomain, softBounceLimit } = deps.config.deliverability;
  const { secretKey } = deps.config.security;
  // With BOUNCE_DOMAIN set, each digest's Return-Path names its delivery (VERP), so a bounce
  // report that quotes nothing of the message still finds it.
  const returnPathFor = bounceDomain ? (deliveryId: string) => verpAddress({ deliveryId, secretKey, bounceDomain }) : undefined;
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
        softBounceLimit,
        returnPathFor,
      });
      // Reasons are classifications ("5.1.1 hard"), never the server's text, which quotes addresses.
      for (const { deliveryId, reason } of outcome.failed) deps.logger.warn({ runId, deliveryId, reason }, 'delivery failed');
      if (outcome.pausedFor) deps.logger.error({ runId, reason: outcome.pausedFor }, 'the SMTP relay refused us; run paused');
      // The job's return value is kept in Redis with the finished job: counts only.
      return { sent: outcome.sent, failed: outcome.failed.length, skipped: outcome.skipped, cancelled: outcome.cancelled };
    },
  };
}


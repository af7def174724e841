import type { TMailer } from '@paperboy/email';
import type { Logger } from '@paperboy/logger';
import type { TMetrics } from '@paperboy/metrics';
import type { Job, Worker } from 'bullmq';

export type TEmailKind = 'confirmation' | 'manage-preferences' | 'digest';

/** Times every hand-over to SMTP and counts it as sent or failed under its kind of email. */
export function instrumentMailer({ mailer, metrics, kind }: { mailer: TMailer; metrics: TMetrics; kind: TEmailKind }): TMailer {
  return {
    ...mailer,
    send: async (email) => {
      const stop = metrics.emails.smtpDuration.startTimer({ kind });
      try {
        const result = await mailer.send(email);
        stop({ outcome: 'sent' });
        metrics.emails.sent.inc({ kind });
        return result;
      } catch (error) {
        stop({ outcome: 'failed' });
        metrics.emails.failed.inc({ kind });
        throw error;
      }
    },
  };
}

// Payloads carry ids only (never addresses), so they are safe to log and they are what ties a
// job line to the API's: runId for a run's start job and its send batches (with their
// deliveryIds), paperId, subscriberId.
function jobFields(queue: string, job: Job) {
  const durationMs = job.processedOn ? (job.finishedOn ?? Date.now()) - job.processedOn : undefined;
  const { traceId, ...ids } = job.data as Record<string, unknown>;
  return { queue, job: job.name, jobId: job.id, traceId, attempt: job.attemptsMade, durationMs, ids };
}

/** One structured log line and one duration sample per finished job attempt, from BullMQ's worker events. */
export function instrumentWorker({ worker, metrics, logger }: { worker: Worker; metrics: TMetrics; logger: Logger }): void {
  worker.on('completed', (job) => {
    const fields = jobFields(worker.name, job);
    if (fields.durationMs !== undefined) metrics.jobs.duration.observe({ queue: worker.name, job: job.name, outcome: 'completed' }, fields.durationMs / 1_000);
    logger.info({ ...fields, outcome: 'completed', result: job.returnvalue as unknown }, 'job done');
  });
  worker.on('failed', (job, error) => {
    if (!job) {
      logger.warn({ queue: worker.name, err: error, outcome: 'failed' }, 'job failed');
      return;
    }
    const fields = jobFields(worker.name, job);
    const isFinal = error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    metrics.jobs.failures.inc({ queue: worker.name, job: job.name, isFinal: String(isFinal) });
    if (fields.durationMs !== undefined) metrics.jobs.duration.observe({ queue: worker.name, job: job.name, outcome: 'failed' }, fields.durationMs / 1_000);
    logger.warn({ ...fields, outcome: isFinal ? 'failed' : 'will retry', err: error }, 'job failed');
  });
}

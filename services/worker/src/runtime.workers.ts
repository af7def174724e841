import { createDigestComposerFromConfig } from '@paperboy/domain';
import { compileDigestTemplate } from '@paperboy/email';
import { withLogFields, type Logger } from '@paperboy/logger';
import type { TMetrics } from '@paperboy/metrics';
import { createQueueWorker } from '@paperboy/queue';
import type { Job, Worker } from 'bullmq';
import type { TWorkerDeps } from './deps.ts';
import { createDigestRunHandlers, createDigestSendHandlers } from './jobs/digests.jobs.ts';
import { createEmailHandlers } from './jobs/email.jobs.ts';
import { createPaperHandlers, schedulePaperFetch } from './jobs/papers.jobs.ts';
import { runBounceMailboxPoll, scheduleBounceMailbox } from './jobs/bounces.job.ts';
import { instrumentMailer, instrumentWorker } from './instrumentation.ts';

/** One BullMQ worker per queue, each adapting its jobs to the handlers built here once. */
export async function createWorkers({ deps, metrics }: { deps: TWorkerDeps; metrics: TMetrics }): Promise<Worker[]> {
  const { config } = deps;
  // Every line a job's handlers log carries its trace id (the request that queued it) and job id.
  const around = (job: Job, run: () => Promise<unknown>) => withLogFields({ traceId: (job.data as { traceId?: string }).traceId, jobId: job.id }, run);
  const common = { redisUrl: config.redis.url, prefix: config.redis.queuePrefix, around };
  // One mailer wrapper per kind, so emails and SMTP latency are counted by kind.
  const mailerFor = (kind: 'confirmation' | 'manage-preferences' | 'digest') => instrumentMailer({ mailer: deps.mailer, metrics, kind });
  const composer = createDigestComposerFromConfig({ db: deps.db, config, template: await compileDigestTemplate() });
  return [
    createQueueWorker({ ...common, queue: 'email', concurrency: config.worker.concurrency, handlers: createEmailHandlers({ ...deps, mailerFor }) }),
    createQueueWorker({ ...common, queue: 'papers', concurrency: 2, handlers: createPaperHandlers(deps) }),
    createQueueWorker({ ...common, queue: 'deliverability', concurrency: 1, handlers: { 'bounce-mailbox': () => runBounceMailboxPoll(deps) } }),
    createQueueWorker({ ...common, queue: 'digest-runs', concurrency: 1, handlers: createDigestRunHandlers(deps) }),
    createQueueWorker({
      ...common,
      queue: 'digest-sends',
      concurrency: config.digests.sendConcurrency,
      handlers: createDigestSendHandlers({ ...deps, mailer: mailerFor('digest'), composer }),
    }),
  ];
}

/** The paper fetch, the bounce mailbox and the digest schedules, upserted so restarts do not duplicate them. */
export async function scheduleRepeatingJobs({ deps }: { deps: TWorkerDeps }) {
  const { queues, config } = deps;
  await schedulePaperFetch({ queues, config });
  await scheduleBounceMailbox({ queues, config });
  if (!config.digests.schedulesEnabled) return;
  for (const frequency of ['weekly', 'daily'] as const) {
    await queues
      .get('digest-runs')
      .upsertJobScheduler(`digest-${frequency}`, { pattern: config.digests.cron[frequency], tz: 'UTC' }, { name: 'scheduled', data: { frequency } });
  }
}

/** Instruments the workers, starts them, and waits until each is connected. */
export async function runWorkers({ workers, metrics, logger }: { workers: Worker[]; metrics: TMetrics; logger: Logger }) {
  for (const worker of workers) {
    instrumentWorker({ worker, metrics, logger });
    worker.on('error', (error) => logger.error({ queue: worker.name, err: error }, 'worker error'));
    void worker.run().catch((error: Error) => logger.error({ queue: worker.name, err: error }, 'worker stopped'));
  }
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
}

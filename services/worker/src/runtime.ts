import { hostname } from 'node:os';
import type { TConfig } from '@paperboy/config';
import { createDatabase } from '@paperboy/db';
import { createDigestComposerFromConfig, loadTopicModel } from '@paperboy/domain';
import { compileDigestTemplate, compileTransactionalTemplates, createMailer } from '@paperboy/email';
import type { Logger } from '@paperboy/logger';
import { createMetrics, readQueueDepths, type TMetrics } from '@paperboy/metrics';
import { createQueues, createQueueWorker, createRedis, type TQueues } from '@paperboy/queue';
import type { Worker } from 'bullmq';
import type { TWorkerDeps } from './deps.ts';
import { createDigestRunHandlers, createDigestSendHandlers } from './jobs/digests.jobs.ts';
import { createEmailHandlers } from './jobs/email.jobs.ts';
import { instrumentMailer, instrumentWorker } from './instrumentation.ts';
import { startMetricsServer, type TMetricsServer } from './metrics-server.ts';
import { startSupervisor } from './supervisor.ts';
import { HEARTBEAT_EVERY_MS, recordHeartbeat } from './jobs/heartbeat.job.ts';
import { createPaperHandlers, schedulePaperFetch } from './jobs/papers.jobs.ts';

export type TWorkerRuntime = {
  start: () => Promise<void>;
  /** Stops taking jobs, lets active ones finish within the bound, then closes queues, Redis, SMTP and the pool. */
  close: () => Promise<void>;
  /** This runtime's own registry (job durations and failures, emails, SMTP latency, queue depths). */
  metrics: TMetrics;
  /** Port of `GET /metrics` once started; undefined when WORKER_METRICS_PORT is 0. */
  metricsPort: () => number | undefined;
};

/** The worker's composition root. Nothing connects until `start`. */
export function createWorkerRuntime({ config, logger }: { config: TConfig; logger: Logger }): TWorkerRuntime {
  const workerId = `${hostname()}-${process.pid}`;
  const prefix = config.redis.queuePrefix;
  const common = { redisUrl: config.redis.url, prefix };
  let deps: TWorkerDeps | undefined;
  let queues: TQueues | undefined;
  let closeDatabase: (() => Promise<void>) | undefined;
  const workers: Worker[] = [];
  let supervisor: { stop: () => Promise<void> } | undefined;
  let metricsServer: TMetricsServer | undefined;
  const metrics = createMetrics({
    queueDepths: async () => (queues ? readQueueDepths(queues.all()) : []),
    onSourceError: (source, error) => logger.warn({ err: error, source }, 'a metrics source failed; its samples are left out'),
  });

  return {
    metrics,
    metricsPort: () => metricsServer?.port,
    start: async () => {
      if (!config.mail.smtpUrl) throw new Error('The worker needs SMTP_URL (npm start sets it to the dev inbox).');
      const database = createDatabase({ url: config.database.url, poolSize: config.database.poolSize });
      closeDatabase = database.close;
      const redis = createRedis({ url: config.redis.url, role: 'worker' });
      await redis.connect();
      queues = createQueues({ connection: redis, prefix });
      deps = {
        config,
        logger,
        db: database.db,
        redis,
        queues,
        mailer: createMailer({
          smtpUrl: config.mail.smtpUrl,
          from: config.mail.from,
          maxConnections: config.mail.maxConnections,
          rateLimitPerSecond: config.mail.ratePerSecond,
          dkim: config.digests.dkim,
        }),
        templates: await compileTransactionalTemplates(),
        topicModel: await loadTopicModel(),
      };

      workers.push(
        createQueueWorker({
          ...common,
          queue: 'maintenance',
          concurrency: 1,
          handlers: { heartbeat: () => recordHeartbeat({ redis, prefix, workerId }) },
        }),
        createQueueWorker({
          ...common,
          queue: 'email',
          concurrency: config.worker.concurrency,
          // One mailer wrapper per kind, so emails and SMTP latency are counted by kind.
          handlers: {
            confirmation: createEmailHandlers({ ...deps, mailer: instrumentMailer({ mailer: deps.mailer, metrics, kind: 'confirmation' }) }).confirmation,
            'manage-preferences': createEmailHandlers({ ...deps, mailer: instrumentMailer({ mailer: deps.mailer, metrics, kind: 'manage-preferences' }) })[
              'manage-preferences'
            ],
          },
        }),
        createQueueWorker({ ...common, queue: 'papers', concurrency: 2, handlers: createPaperHandlers(deps) }),
        createQueueWorker({ ...common, queue: 'digest-runs', concurrency: 1, handlers: createDigestRunHandlers(deps) }),
        createQueueWorker({
          ...common,
          queue: 'digest-sends',
          concurrency: config.digests.sendConcurrency,
          handlers: createDigestSendHandlers({
            ...deps,
            mailer: instrumentMailer({ mailer: deps.mailer, metrics, kind: 'digest' }),
            composer: createDigestComposerFromConfig({ db: deps.db, config, template: await compileDigestTemplate() }),
          }),
        }),
      );
      for (const worker of workers) {
        instrumentWorker({ worker, metrics, logger });
        worker.on('error', (error) => logger.error({ queue: worker.name, err: error }, 'worker error'));
      }

      await queues.get('maintenance').upsertJobScheduler('heartbeat', { every: HEARTBEAT_EVERY_MS }, { name: 'heartbeat', data: {} });
      await schedulePaperFetch({ queues, config });
      if (config.digests.schedulesEnabled) {
        for (const frequency of ['weekly', 'daily'] as const) {
          await queues
            .get('digest-runs')
            .upsertJobScheduler(
              `digest-${frequency}`,
              { pattern: config.digests.cron[frequency], tz: 'UTC' },
              { name: 'scheduled', data: { frequency } },
            );
        }
      }
      supervisor = startSupervisor(deps);
      for (const worker of workers) {
        void worker.run().catch((error: Error) => logger.error({ queue: worker.name, err: error }, 'worker stopped'));
      }
      await Promise.all(workers.map((worker) => worker.waitUntilReady()));
      if (config.worker.metricsPort !== 0) {
        metricsServer = await startMetricsServer({ metrics, host: config.server.host, port: config.worker.metricsPort, logger });
      }
      logger.info({ workerId, queues: workers.map((worker) => worker.name) }, 'worker started');
    },
    close: async () => {
      const current = deps;
      deps = undefined;
      if (!current) return;
      await supervisor?.stop();
      await metricsServer?.close();
      metricsServer = undefined;
      await closeWorkers({ workers, timeoutMs: config.server.shutdownTimeoutMs - 1_000, logger });
      await queues?.close();
      current.mailer.close();
      await current.redis.quit().catch(() => current.redis.disconnect());
      await closeDatabase?.();
      logger.info({ workerId }, 'worker stopped');
    },
  };
}

/** Waits for active jobs up to `timeoutMs`, then forces the workers closed; their jobs' locks expire and they run again. */
export async function closeWorkers({ workers, timeoutMs, logger }: { workers: Worker[]; timeoutMs: number; logger: Logger }) {
  let timer: NodeJS.Timeout | undefined;
  const graceful = Promise.all(workers.map((worker) => worker.close())).then(() => 'closed' as const);
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(timeoutMs, 0));
  });
  const outcome = await Promise.race([graceful, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    logger.warn({ timeoutMs }, 'active jobs did not finish in time; closing workers anyway');
    await Promise.all(workers.map((worker) => worker.close(true)));
  }
}

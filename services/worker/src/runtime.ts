import type { TConfig } from '@paperboy/config';
import { createDatabase, type TDatabaseHandle } from '@paperboy/db';
import { assertSendLease, createSubscriptionEmailSkeletons, loadTopicModel } from '@paperboy/domain';
import { compileTransactionalTemplates, createMailer } from '@paperboy/email';
import type { Logger } from '@paperboy/logger';
import { createMetrics, readQueueDepths, type TMetrics } from '@paperboy/metrics';
import { createQueues, createRedis } from '@paperboy/queue';
import { TimeoutError, withTimeout } from '@paperboy/runtime';
import type { Worker } from 'bullmq';
import { sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { TWorkerDeps } from './deps.ts';
import { currentWorker, startHeartbeat, workerIdOf } from './heartbeat.ts';
import { startMetricsServer, type TMetricsServer } from './metrics-server.ts';
import { createWorkers, runWorkers, scheduleRepeatingJobs } from './runtime.workers.ts';
import { startSupervisor } from './supervisor.ts';

export type TWorkerRuntime = {
  start: () => Promise<void>;
  /** Stops taking jobs, lets active ones finish within the bound, then closes queues, Redis, SMTP and the pool. */
  close: () => Promise<void>;
  /** This runtime's own registry (job durations and failures, emails, SMTP latency, queue depths). */
  metrics: TMetrics;
  /** Port of `GET /metrics` once started; undefined when WORKER_METRICS_PORT is 0. */
  metricsPort: () => number | undefined;
};

/** What a runtime has opened so far: `start` fills it step by step, and one close path undoes whatever is there. */
type TResources = {
  database?: TDatabaseHandle;
  redis?: Redis;
  deps?: TWorkerDeps;
  workers: Worker[];
  supervisor?: { stop: () => Promise<void> };
  heartbeat?: { stop: () => Promise<void> };
  metricsServer?: TMetricsServer;
};

/** The worker's composition root. Nothing connects until `start`; a failed start closes what it opened. */
export function createWorkerRuntime({ config, logger }: { config: TConfig; logger: Logger }): TWorkerRuntime {
  const worker = currentWorker();
  const workerId = workerIdOf(worker);
  let resources: TResources = { workers: [] };
  const metrics = createMetrics({
    queueDepths: async () => (resources.deps ? readQueueDepths(resources.deps.queues.all()) : []),
    onSourceError: (source, error) => logger.warn({ err: error, source }, 'a metrics source failed; its samples are left out'),
  });
  const close = async () => {
    const opened = resources;
    resources = { workers: [] };
    await closeResources({ resources: opened, timeoutMs: config.server.shutdownTimeoutMs - 1_000, logger });
  };

  return {
    metrics,
    metricsPort: () => resources.metricsServer?.port,
    start: async () => {
      const smtpUrl = checkSettings(config);
      try {
        await openConnections({ config, resources });
        const deps = await buildDeps({ config, logger, smtpUrl, resources });
        resources.workers.push(...(await createWorkers({ deps, metrics })));
        await scheduleRepeatingJobs({ deps });
        resources.supervisor = startSupervisor(deps);
        await runWorkers({ workers: resources.workers, metrics, logger });
        const { workers } = resources;
        resources.heartbeat = startHeartbeat({ redis: deps.redis, prefix: config.redis.queuePrefix, worker, logger, isTakingJobs: () => workers.every((one) => one.isRunning()) });
        if (config.worker.metricsPort !== 0) {
          resources.metricsServer = await startMetricsServer({
            metrics,
            host: config.server.host,
            port: config.worker.metricsPort,
            logger,
            token: config.security.metricsToken,
          });
        }
      } catch (error) {
        await close();
        throw error;
      }
      logger.info({ workerId, queues: resources.workers.map((worker) => worker.name) }, 'worker started');
    },
    close: async () => {
      if (!resources.database) return;
      await close();
      logger.info({ workerId }, 'worker stopped');
    },
  };
}

/** Settings the worker cannot run without, checked before anything connects. */
function checkSettings(config: TConfig): string {
  if (!config.mail.smtpUrl) throw new Error('The worker needs SMTP_URL (npm start sets it to the dev inbox).');
  assertSendLease({ config });
  return config.mail.smtpUrl;
}

/** PostgreSQL first (one query, so a wrong DATABASE_URL fails here), then Redis. */
async function openConnections({ config, resources }: { config: TConfig; resources: TResources }) {
  resources.database = createDatabase({
    url: config.database.url,
    poolSize: config.database.poolSize,
    statementTimeoutMs: config.database.statementTimeoutMs,
    applicationName: 'paperboy-worker',
  });
  await resources.database.db.execute(sql`select 1`);
  resources.redis = createRedis({ url: config.redis.url, role: 'worker' });
  await resources.redis.connect();
}

async function buildDeps({ config, logger, smtpUrl, resources }: { config: TConfig; logger: Logger; smtpUrl: string; resources: TResources }) {
  const redis = resources.redis!;
  const mailer = createMailer({
    smtpUrl,
    maxConnections: config.mail.maxConnections,
    rateLimitPerSecond: config.mail.ratePerSecond,
    dkim: config.digests.dkim,
  });
  const queues = createQueues({ connection: redis, prefix: config.redis.queuePrefix });
  resources.deps = {
    config,
    logger,
    db: resources.database!.db,
    redis,
    queues,
    mailer,
    templates: await compileTransactionalTemplates(),
    subscriptionSkeletons: createSubscriptionEmailSkeletons({ from: config.mail.from }),
    topicModel: await loadTopicModel(),
  };
  return resources.deps;
}

/** In the order work flows: no new work, then let active jobs finish, then the connections they used. */
async function closeResources({ resources, timeoutMs, logger }: { resources: TResources; timeoutMs: number; logger: Logger }) {
  const { database, redis, deps, workers, supervisor, heartbeat, metricsServer } = resources;
  await heartbeat?.stop();
  await supervisor?.stop();
  await metricsServer?.close();
  await closeWorkers({ workers, timeoutMs, logger });
  await deps?.queues.close();
  deps?.mailer.close();
  await redis?.quit().catch(() => redis.disconnect());
  await database?.close();
}

/** Waits for active jobs up to `timeoutMs`, then forces the workers closed; their jobs' locks expire and they run again. */
export async function closeWorkers({ workers, timeoutMs, logger }: { workers: Worker[]; timeoutMs: number; logger: Logger }) {
  try {
    await withTimeout(Promise.all(workers.map((worker) => worker.close())), { timeoutMs, message: 'active jobs did not finish in time' });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    logger.warn({ timeoutMs }, 'active jobs did not finish in time; closing workers anyway');
    await Promise.all(workers.map((worker) => worker.close(true)));
  }
}

import { createLogger } from '@paperboy/logger';
import { createQueues, createQueueWorker, createRedis } from '@paperboy/queue';
import { configFor, useTestContext } from '@paperboy/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { currentWorker, heartbeatKey } from './heartbeat.ts';
import { closeWorkers, createWorkerRuntime } from './runtime.ts';

const logger = createLogger({ level: 'silent', name: 'test' });

describe('the worker runtime', () => {
  const context = useTestContext();

  it('connects, takes jobs from its queues and records a heartbeat', async () => {
    const runtime = createWorkerRuntime({ config: configFor(context, { SMTP_URL: 'smtp://127.0.0.1:2525' }), logger });
    await runtime.start();
    const redis = createRedis({ url: context.redisUrl, role: 'producer' });
    await redis.connect();
    try {
      const key = heartbeatKey({ prefix: context.queuePrefix, worker: currentWorker() });
      await vi.waitFor(async () => expect(await redis.get(key)).toBeTruthy(), { timeout: 5_000, interval: 100 });
      const beat = JSON.parse((await redis.get(key))!) as { workerId: string };
      expect(beat.workerId).toContain(String(process.pid));
      await runtime.close();
      // A worker that stopped no longer vouches for itself.
      expect(await redis.get(key)).toBeNull();
    } finally {
      redis.disconnect();
      await runtime.close();
    }
  });

  it('when Redis cannot be reached, start fails and leaves no connection to PostgreSQL open', async () => {
    const config = configFor(context, { SMTP_URL: 'smtp://127.0.0.1:2525', REDIS_URL: 'redis://127.0.0.1:1' });
    const runtime = createWorkerRuntime({ config, logger });
    await expect(runtime.start()).rejects.toThrow();
    const { db } = context.database;
    // The failed start queried PostgreSQL first: its pool had a connection to close.
    await vi.waitFor(
      async () => {
        const { rows } = await db.execute<{ count: number }>(
          sql`select count(*)::int as count from pg_stat_activity where datname = current_database() and application_name = 'paperboy-worker'`,
        );
        expect(rows[0]?.count).toBe(0);
      },
      { timeout: 5_000, interval: 100 },
    );
    await runtime.close();
  });

  it('on close, lets an active job finish before it returns', async () => {
    const redis = createRedis({ url: context.redisUrl, role: 'worker' });
    await redis.connect();
    const queues = createQueues({ connection: redis, prefix: `${context.queuePrefix}-close` });
    const finished: string[] = [];
    let markStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const worker = createQueueWorker({
      queue: 'papers',
      redisUrl: context.redisUrl,
      prefix: `${context.queuePrefix}-close`,
      concurrency: 1,
      handlers: {
        match: () => Promise.resolve(),
        'fetch-liked-papers': () => Promise.resolve(),
        'fetch-sources': async () => {
          markStarted();
          await new Promise((resolve) => setTimeout(resolve, 500));
          finished.push('fetch-sources');
        },
      },
    });
    void worker.run();
    await queues.enqueue({ queue: 'papers', job: 'fetch-sources', payload: {} });
    await started;
    await closeWorkers({ workers: [worker], timeoutMs: 5_000, logger });
    expect(finished).toEqual(['fetch-sources']);
    await queues.close();
    await redis.quit();
  });

  it('a job whose payload does not match its schema fails without retries', async () => {
    const prefix = `${context.queuePrefix}-invalid`;
    const redis = createRedis({ url: context.redisUrl, role: 'worker' });
    await redis.connect();
    const queues = createQueues({ connection: redis, prefix });
    const worker = createQueueWorker({
      queue: 'papers',
      redisUrl: context.redisUrl,
      prefix,
      concurrency: 1,
      handlers: { match: () => Promise.resolve(), 'fetch-sources': () => Promise.resolve(), 'fetch-liked-papers': () => Promise.resolve() },
    });
    void worker.run();
    const failed = new Promise<{ attemptsMade: number; failedReason: string }>((resolve) =>
      worker.on('failed', (job) => job && resolve(job)),
    );
    // Bypass the typed producer to put a bad payload on the queue, as a foreign producer could.
    await queues.get('papers').add('fetch-sources', { unexpected: true });
    const job = await failed;
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/Invalid papers\/fetch-sources job/);
    await closeWorkers({ workers: [worker], timeoutMs: 5_000, logger });
    await queues.close();
    await redis.quit();
  });
});

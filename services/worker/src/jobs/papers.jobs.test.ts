import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { papers, paperTopics, topics } from '@paperboy/db';
import { loadTopicModel, matchKey, readSeedTopics } from '@paperboy/domain';
import { createLogger } from '@paperboy/logger';
import { createEnqueueMatches, createQueues, createQueueWorker, createRedis, type TQueues } from '@paperboy/queue';
import { configFor, useTestContext } from '@paperboy/testing';
import { UnrecoverableError, type Worker } from 'bullmq';
import { count, eq, isNull } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TWorkerDeps } from '../deps.ts';
import { closeWorkers } from '../runtime.ts';
import { createPaperHandlers, FETCH_SOURCES_SCHEDULER_ID, schedulePaperFetch } from './papers.jobs.ts';

const logger = createLogger({ level: 'silent', name: 'test' });
const fixture = (name: string) => readFileSync(new URL(`../../../../packages/domain/src/papers/fixtures/${name}`, import.meta.url));

describe('paper jobs in the worker', () => {
  const context = useTestContext();
  let server: Server;
  let base: string;
  let redis: Redis;
  let queues: TQueues;
  let worker: Worker;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/daily_papers') return response.writeHead(200, { 'content-type': 'application/json' }).end(fixture('hf-daily-papers.json'));
      return response.writeHead(200, { 'content-type': 'application/atom+xml' }).end(fixture('arxiv-feed.atom.xml'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = configFor(context, { PAPER_SOURCES: `${base}/daily_papers,${base}/query` });
    redis = createRedis({ url: context.redisUrl, role: 'worker' });
    await redis.connect();
    queues = createQueues({ connection: redis, prefix: context.queuePrefix });
    await context.database.db.insert(topics).values(readSeedTopics());
    const deps = { config, logger, db: context.database.db, redis, queues, topicModel: await loadTopicModel() } as unknown as TWorkerDeps;
    worker = createQueueWorker({ queue: 'papers', redisUrl: context.redisUrl, prefix: context.queuePrefix, concurrency: 2, handlers: createPaperHandlers(deps) });
    void worker.run();
  });

  afterAll(async () => {
    await closeWorkers({ workers: [worker], timeoutMs: 5_000, logger });
    await queues.close();
    await redis.quit();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a fetch-sources job ingests every configured source and the match jobs it queues file the papers under topics', async () => {
    const { db } = context.database;
    await queues.enqueue({ queue: 'papers', job: 'fetch-sources', payload: {} });
    await vi.waitFor(
      async () => {
        const [stored] = await db.select({ value: count() }).from(papers);
        const [unmatched] = await db.select({ value: count() }).from(papers).where(isNull(papers.matchedAt));
        expect(stored?.value).toBe(6);
        expect(unmatched?.value).toBe(0);
      },
      { timeout: 10_000, interval: 100 },
    );
    const [matches] = await db.select({ value: count() }).from(paperTopics);
    expect(matches?.value).toBeGreaterThan(3);
  });

  it('a paper whose match job failed, and is kept as failed, is matched again by the next sweep', async () => {
    const { db } = context.database;
    const [paper] = await db
      .insert(papers)
      .values({ arxivId: '2612.77777', title: 'Retrieval-augmented generation for code', abstract: 'Large language models and retrieval.', authors: ['Ada'], upvotes: 5, source: 'test' })
      .returning();
    const enqueueMatches = createEnqueueMatches(queues);
    const key = matchKey({ paperId: paper!.id, title: paper!.title, abstract: paper!.abstract });
    // A real failure: the job runs on a worker whose matcher breaks, and BullMQ keeps it as failed.
    await worker.pause();
    const failing = createQueueWorker({
      queue: 'papers',
      redisUrl: context.redisUrl,
      prefix: context.queuePrefix,
      concurrency: 1,
      handlers: {
        match: () => Promise.reject(new UnrecoverableError('the matcher broke')),
        'fetch-sources': () => Promise.resolve(),
        'fetch-liked-papers': () => Promise.resolve(),
      },
    });
    void failing.run();
    await enqueueMatches([{ paperId: paper!.id, key }]);
    await vi.waitFor(async () => expect(await queues.get('papers').getFailedCount()).toBe(1), { timeout: 10_000, interval: 100 });
    await closeWorkers({ workers: [failing], timeoutMs: 5_000, logger });
    await worker.resume();

    await queues.enqueue({ queue: 'papers', job: 'fetch-sources', payload: {} });
    await vi.waitFor(
      async () => {
        const [row] = await db.select({ matchedAt: papers.matchedAt }).from(papers).where(eq(papers.id, paper!.id));
        expect(row?.matchedAt).not.toBeNull();
      },
      { timeout: 10_000, interval: 100 },
    );
  });

  it('schedules the fetch only when sources are configured, in UTC on the configured cron', async () => {
    await schedulePaperFetch({ queues, config: configFor(context, { PAPER_SOURCES: `${base}/query`, PAPER_FETCH_CRON: '15 * * * *' }) });
    const scheduler = await queues.get('papers').getJobScheduler(FETCH_SOURCES_SCHEDULER_ID);
    expect(scheduler).toMatchObject({ pattern: '15 * * * *', tz: 'UTC', name: 'fetch-sources' });
    await schedulePaperFetch({ queues, config: configFor(context) });
    expect(await queues.get('papers').getJobScheduler(FETCH_SOURCES_SCHEDULER_ID)).toBeFalsy();
  });
});

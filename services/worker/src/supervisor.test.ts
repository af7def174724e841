import { cancelRun, superviseRuns } from '@paperboy/domain';
import { createLogger } from '@paperboy/logger';
import { createEnqueueSends, createQueues, createRedis, type TQueues } from '@paperboy/queue';
import { configFor, startPrivateRedis, type TPrivateRedis, useTestContext } from '@paperboy/testing';
import { sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSupervisor } from './supervisor.ts';

const logger = createLogger({ level: 'silent', name: 'test' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the run supervisor', () => {
  const context = useTestContext();
  let privateRedis: TPrivateRedis;
  let redis: Redis;
  let queues: TQueues;

  beforeAll(async () => {
    privateRedis = await startPrivateRedis();
    redis = createRedis({ url: privateRedis.url, role: 'worker' });
    await redis.connect();
  });

  afterAll(async () => {
    privateRedis.thaw();
    redis.disconnect();
    await privateRedis.kill();
  });

  /** A run of three confirmed readers, created an hour ago, in `state`, its deliveries pending. */
  async function insertRun(tag: string, state: 'planned' | 'sending') {
    const { db } = context.database;
    await db.execute(sql`
      insert into subscribers (email, email_hash, status, frequency, digest_size, confirmed_at)
      select 'reader' || n || '@' || ${tag} || '.example', md5(${tag} || n), 'confirmed', 'weekly', 5, now() from generate_series(1, 3) as n`);
    const { rows } = await db.execute<{ id: string }>(sql`
      insert into digest_runs (frequency, period_key, period_start, period_end, trigger, state, planned_count, created_at)
      values ('weekly', '2026-W48', now() - interval '7 days', now(), 'admin', ${state}, 3, now() - interval '1 hour') returning id`);
    const runId = rows[0]!.id;
    await db.execute(sql`
      insert into deliveries (run_id, subscriber_id, paper_ids, updated_at)
      select ${runId}::uuid, id, '{}', now() - interval '1 hour' from subscribers where email like ${'%@' + tag + '.example'}`);
    return runId;
  }

  it('while Redis hangs, an admin can still cancel the run being supervised', async () => {
    const runId = await insertRun('hung', 'planned');
    queues = createQueues({ connection: redis, prefix: `${context.queuePrefix}-hung` });
    const enqueueSends = createEnqueueSends(queues, { batchSize: 50 });
    const countQueuedSends = async () => Object.values(await queues.get('digest-sends').getJobCounts('waiting')).reduce((sum, count) => sum + count, 0);
    const { db } = context.database;

    privateRedis.freeze();
    let isSupervised = false;
    const supervision = superviseRuns({ db, enqueueSends, countQueuedSends, now: new Date(), idleMs: 60_000 }).then((result) => {
      isSupervised = true;
      return result;
    });
    // Long enough for the supervisor to start the stale run and reach the frozen Redis.
    await sleep(500);
    const { run } = await cancelRun({ db, runId, now: new Date() });
    expect(run.state).toBe('cancelled');
    expect(isSupervised).toBe(false);

    privateRedis.thaw();
    expect(await supervision).toEqual([{ runId, outcome: 'started', requeued: 3 }]);
    await queues.close();
  });

  it('ticks never overlap: ticks held up by a hung Redis do not each enqueue the run again once it answers', async () => {
    const runId = await insertRun('ticks', 'sending');
    queues = createQueues({ connection: redis, prefix: `${context.queuePrefix}-ticks` });
    // A lease of 1 ms: every pending delivery counts as idle, so each tick that finds the queue dry requeues.
    const config = configFor(context, { DIGEST_SUPERVISOR_INTERVAL_MS: '20', DIGEST_SEND_LEASE_MS: '1' });
    privateRedis.freeze();
    const supervisor = startSupervisor({ config, logger, db: context.database.db, queues });
    await sleep(500);
    privateRedis.thaw();
    await sleep(500);
    await supervisor.stop();
    const jobs = await queues.get('digest-sends').getJobs(['waiting']);
    expect(jobs.map((job) => (job.data as { runId: string }).runId)).toEqual([runId]);
    await queues.close();
  });

  it('removes a signup whose confirmation link expired, and the phrase only it held, on its first tick', async () => {
    const { db } = context.database;
    const { rows } = await db.execute<{ id: string }>(sql`
      insert into subscribers (email, email_hash, status, created_at, last_confirmation_sent_at)
      values ('stale@expired.example', md5('stale-expired'), 'pending', now() - interval '30 days', now() - interval '30 days') returning id`);
    const staleId = rows[0]!.id;
    await db.execute(sql`insert into consent_events (subscriber_id, kind) values (${staleId}::uuid, 'signup')`);
    const { rows: phrases } = await db.execute<{ id: number }>(sql`insert into keywords (phrase) values ('only the stale signup') returning id`);
    await db.execute(sql`insert into subscriber_keywords (subscriber_id, keyword_id) values (${staleId}::uuid, ${phrases[0]!.id})`);
    queues = createQueues({ connection: redis, prefix: `${context.queuePrefix}-expired` });
    const config = configFor(context, { DIGEST_SUPERVISOR_INTERVAL_MS: '20' });
    const supervisor = startSupervisor({ config, logger, db, queues });
    try {
      await vi.waitFor(
        async () => {
          const { rows: left } = await db.execute(sql`select 1 from subscribers where id = ${staleId}::uuid`);
          expect(left).toHaveLength(0);
        },
        { timeout: 10_000, interval: 50 },
      );
      const { rows: keywordsLeft } = await db.execute(sql`select 1 from keywords where phrase = 'only the stale signup'`);
      expect(keywordsLeft).toHaveLength(0);
    } finally {
      await supervisor.stop();
      await queues.close();
    }
  });

  it('without any paper source configured, queues a match job for a paper left unmatched, on its first tick', async () => {
    const { db } = context.database;
    const { rows } = await db.execute<{ id: string }>(sql`
      insert into papers (arxiv_id, title, abstract, source) values ('2612.55555', 'Lost match job', 'Its job went with Redis.', 'seed') returning id`);
    const paperId = Number(rows[0]!.id);
    queues = createQueues({ connection: redis, prefix: `${context.queuePrefix}-unmatched` });
    const config = configFor(context, { DIGEST_SUPERVISOR_INTERVAL_MS: '20' });
    expect(config.papers.sources).toEqual([]);
    const supervisor = startSupervisor({ config, logger, db, queues });
    try {
      await vi.waitFor(
        async () => {
          const jobs = await queues.get('papers').getJobs(['waiting']);
          expect(jobs.map((job) => ({ name: job.name, paperIds: (job.data as { paperIds: number[] }).paperIds }))).toEqual([{ name: 'match', paperIds: [paperId] }]);
        },
        { timeout: 10_000, interval: 50 },
      );
    } finally {
      await supervisor.stop();
      await queues.close();
    }
  });
});

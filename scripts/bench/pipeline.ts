import { randomBytes } from 'node:crypto';
import { createRun, getRunProgress } from '@paperboy/domain';
import { createQueues, createRedis } from '@paperboy/queue';
import { sql } from 'drizzle-orm';
import { freshDatabase } from './database.ts';
import { insertPapers, insertSubscribers, matchPapersRandomly, seedRandom } from './fixtures.ts';
import { createCpuMeter, perThousand } from './cpu.ts';
import { peakRssMb, startService, startSink } from './processes.ts';

export type TPipelineSettings = {
  adminUrl: string;
  redisUrl: string;
  subscribers: number;
  papers: number;
  workers: number;
  sendConcurrency: number;
  sendBatch: number;
  smtpConnections: number;
  /** Writes a CPU profile of each worker here (node --cpu-prof). */
  profileDir?: string;
};

export type TPipelineResult = {
  workers: number;
  subscribers: number;
  planned: number;
  planningSeconds: number;
  sendingSeconds: number;
  endToEndSeconds: number;
  digestsPerSecond: number;
  sinkAccepted: number;
  latencyP50Seconds: number;
  latencyP99Seconds: number;
  workerPeakRssMb: number[];
  redisPeakMb: number;
  /** CPU seconds per 1,000 planned digests, planning included, by process group. */
  cpuPerThousand: Record<string, number>;
  isExactlyOnce: boolean;
};

const SETTINGS = { lookbackDays: { weekly: 7, daily: 1 }, maxFailureRatio: 0.1 };

/**
 * One weekly run from creation to the last message accepted by the sink, with `workers`
 * worker processes (the production bundle) sending through postfix's smtp-sink.
 */
export async function benchPipeline(settings: TPipelineSettings): Promise<TPipelineResult> {
  const database = await freshDatabase({ adminUrl: settings.adminUrl, name: 'paperboy_bench_pipeline' });
  const { db } = database;
  await seedRandom(db);
  const paperIds = await insertPapers({ db, count: settings.papers, prefix: '2611' });
  await matchPapersRandomly({ db, paperIds });
  await insertSubscribers({ db, count: settings.subscribers, domain: 'bench.test' });
  await db.execute(sql`analyze`);

  const sink = await startSink();
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: settings.redisUrl,
    QUEUE_PREFIX: prefix,
    SMTP_URL: sink.url,
    PUBLIC_URL: 'https://paperboy.bench',
    ADMIN_TOKEN: randomBytes(16).toString('hex'),
    SECRET_KEY: randomBytes(32).toString('hex'),
    DIGEST_SCHEDULES_ENABLED: 'false',
    DIGEST_SEND_CONCURRENCY: String(settings.sendConcurrency),
    DIGEST_SEND_BATCH_SIZE: String(settings.sendBatch),
    SMTP_MAX_CONNECTIONS: String(settings.smtpConnections),
    WORKER_METRICS_PORT: '0',
  };
  const redis = createRedis({ url: settings.redisUrl, role: 'producer' });
  await redis.connect();
  const workers = Array.from({ length: settings.workers }, () => startService({ entry: 'worker', env, profileDir: settings.profileDir }));
  // Redis may hold other data: report what this run added at its peak.
  const redisBaseline = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
  let redisPeak = redisBaseline;
  const sampler = setInterval(() => {
    void redis.info('memory').then((info) => {
      redisPeak = Math.max(redisPeak, Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0));
    });
  }, 200);
  try {
    // Workers record a heartbeat as soon as they take jobs.
    for (let waited = 0; (await redis.keys(`${prefix}:worker-heartbeat:*`)).length === 0; waited += 100) {
      if (waited > 20_000) throw new Error('the workers did not start within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Redis and PostgreSQL serve whatever else runs on the host too; their figures are upper bounds.
    const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0);
    const cpu = createCpuMeter({
      worker: () => workers.map((worker) => worker.child.pid!),
      postgres: async () => (await db.execute<{ pid: number }>(sql`select pid from pg_stat_activity where datname = current_database()`)).rows.map((row) => Number(row.pid)),
      redis: () => [redisPid],
      sink: () => [sink.pid],
    });
    await cpu.start();
    const createdAt = performance.now();
    const { run } = await createRun({ db, frequency: 'weekly', trigger: 'admin', isDryRun: false, now: new Date(), settings: SETTINGS });
    const plannedAt = performance.now();
    const queues = createQueues({ connection: redis, prefix });
    await queues.enqueue({ queue: 'digest-runs', job: 'start', payload: { runId: run.id }, jobId: `start-${run.id}` });
    await queues.close();
    for (;;) {
      const { run: current } = await getRunProgress({ db, runId: run.id });
      if (current.state === 'done') break;
      if (current.state !== 'sending' && current.state !== 'planned') throw new Error(`run ended ${current.state}: ${current.pauseReason}`);
      // Polling is itself load on PostgreSQL; the end time comes from the rows, not from here.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const { rows: finished } = await db.execute<{ seconds: number }>(
      sql`select extract(epoch from max(sent_at) - ${new Date(Date.now() - (performance.now() - plannedAt)).toISOString()}::timestamptz) as seconds from deliveries where run_id = ${run.id}::uuid`,
    );
    const doneAt = plannedAt + Number(finished[0]?.seconds ?? 0) * 1000;
    const { counts } = await getRunProgress({ db, runId: run.id });
    const { rows } = await db.execute<{ p50: number; p99: number }>(sql`
      select percentile_cont(0.5) within group (order by extract(epoch from d.sent_at - r.started_at)) as p50,
             percentile_cont(0.99) within group (order by extract(epoch from d.sent_at - r.started_at)) as p99
      from deliveries d join digest_runs r on r.id = d.run_id
      where d.run_id = ${run.id}::uuid and d.state = 'sent'
    `);
    // Give the sink's counter a moment to print its last line.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cpuUsed = await cpu.stop();
    const workerPeakRssMb = workers.map((worker) => peakRssMb(worker.child.pid!));
    const sendingSeconds = (doneAt - plannedAt) / 1000;
    const endToEndSeconds = (doneAt - createdAt) / 1000;
    return {
      workers: settings.workers,
      subscribers: settings.subscribers,
      planned: run.plannedCount,
      planningSeconds: (plannedAt - createdAt) / 1000,
      sendingSeconds,
      endToEndSeconds,
      digestsPerSecond: run.plannedCount / endToEndSeconds,
      sinkAccepted: sink.accepted(),
      latencyP50Seconds: Number(rows[0]?.p50 ?? 0),
      latencyP99Seconds: Number(rows[0]?.p99 ?? 0),
      workerPeakRssMb,
      redisPeakMb: Math.round((redisPeak - redisBaseline) / 1024 / 1024),
      cpuPerThousand: perThousand(cpuUsed, run.plannedCount),
      isExactlyOnce: counts.sent === run.plannedCount && sink.accepted() === run.plannedCount,
    };
  } finally {
    clearInterval(sampler);
    await Promise.all(workers.map((worker) => worker.stop()));
    await sink.stop();
    redis.disconnect();
    await database.close();
  }
}

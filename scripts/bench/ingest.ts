import { randomBytes } from 'node:crypto';
import { ingestPapers, readSeedPapers } from '@paperboy/domain';
import { createEnqueueMatches, createQueues, createRedis } from '@paperboy/queue';
import { sql } from 'drizzle-orm';
import { freshDatabase } from './database.ts';
import { startService } from './processes.ts';

const BATCH = 5_000;

/** `count` papers in the Hugging Face daily-papers format, varied from the 45 seed papers. */
function huggingFaceBatch(start: number, size: number): string {
  const seeds = readSeedPapers();
  return JSON.stringify(
    Array.from({ length: size }, (_, offset) => {
      const n = start + offset;
      const seed = seeds[n % seeds.length]!;
      const id = `26${String(10 + (n % 2)).padStart(2, '0')}.${String(n).padStart(5, '0')}`;
      return {
        paper: {
          id,
          title: `${seed.title} (variant ${n})`,
          summary: seed.abstract,
          authors: seed.authors.map((name) => ({ name })),
          publishedAt: new Date().toISOString(),
          upvotes: n % 300,
        },
        title: seed.title,
        summary: seed.abstract,
        publishedAt: new Date().toISOString(),
        numComments: 0,
        thumbnail: 'https://example.org/thumb.png',
      };
    }),
  );
}

/** Papers through the ingest path (parse, validate, upsert, enqueue) and the worker's match jobs. */
export async function benchIngest({ adminUrl, redisUrl, count, profileDir }: { adminUrl: string; redisUrl: string; count: number; profileDir?: string }) {
  const database = await freshDatabase({ adminUrl, name: 'paperboy_bench_ingest' });
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const redis = createRedis({ url: redisUrl, role: 'producer' });
  await redis.connect();
  const queues = createQueues({ connection: redis, prefix });
  const worker = startService({
    entry: 'worker',
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      SMTP_URL: 'smtp://127.0.0.1:1',
      ADMIN_TOKEN: randomBytes(16).toString('hex'),
      SECRET_KEY: randomBytes(32).toString('hex'),
      DIGEST_SCHEDULES_ENABLED: 'false',
      WORKER_METRICS_PORT: '0',
    },
    profileDir,
  });
  try {
    const bodies = Array.from({ length: Math.ceil(count / BATCH) }, (_, index) =>
      huggingFaceBatch(index * BATCH, Math.min(BATCH, count - index * BATCH)),
    );
    const started = performance.now();
    for (const body of bodies) {
      await ingestPapers({ db: database.db, body, contentType: 'application/json', enqueueMatches: createEnqueueMatches(queues) });
    }
    const storedAt = performance.now();
    for (;;) {
      const { rows } = await database.db.execute<{ left: string }>(sql`select count(*) as left from papers where matched_at is null`);
      if (Number(rows[0]?.left) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const matchedAt = performance.now();
    const { rows } = await database.db.execute<{ papers: string; matches: string }>(
      sql`select (select count(*) from papers) as papers, (select count(*) from paper_topics) as matches`,
    );
    return {
      papers: Number(rows[0]?.papers),
      topicMatches: Number(rows[0]?.matches),
      ingestSeconds: (storedAt - started) / 1000,
      totalSeconds: (matchedAt - started) / 1000,
      papersPerSecond: count / ((matchedAt - started) / 1000),
    };
  } finally {
    await worker.stop();
    await queues.close();
    redis.disconnect();
    await database.close();
  }
}

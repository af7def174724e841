import { randomBytes } from 'node:crypto';
import { createQueues, createRedis } from '@paperboy/queue';
import autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import { freshDatabase } from './database.ts';
import { freePort, startService } from './processes.ts';

const TOPICS = ['llms', 'llm-compression', 'efficient-inference', 'diffusion-models', 'bayesian-inference'];

/**
 * Sustained signups against the API (the production bundle, one process) with distinct
 * addresses; afterwards every 202 must be a stored row with a confirmation job queued.
 */
export async function benchSignup({
  adminUrl,
  redisUrl,
  seconds,
  connections,
  profileDir,
}: {
  adminUrl: string;
  redisUrl: string;
  seconds: number;
  connections: number;
  profileDir?: string;
}) {
  const database = await freshDatabase({ adminUrl, name: 'paperboy_bench_signup' });
  const port = await freePort();
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const api = startService({
    entry: 'api',
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ADMIN_TOKEN: randomBytes(16).toString('hex'),
      SECRET_KEY: randomBytes(32).toString('hex'),
      // One client sends everything: the per-IP limit would measure the limiter, not signups.
      SIGNUP_RATE_LIMIT_MAX: '100000000',
    },
    profileDir,
  });
  const redis = createRedis({ url: redisUrl, role: 'producer' });
  await redis.connect();
  const queues = createQueues({ connection: redis, prefix });
  try {
    for (let waited = 0; ; waited += 100) {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((response) => response.ok, () => false);
      if (ready) break;
      if (waited > 20_000) throw new Error('the API did not get ready within 20 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    let sequence = 0;
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          path: '/api/subscriptions',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => {
            sequence += 1;
            return {
              ...request,
              body: JSON.stringify({
                email: `signup${sequence}@bench.test`,
                topics: [TOPICS[sequence % TOPICS.length], TOPICS[(sequence + 2) % TOPICS.length]],
                keywords: sequence % 3 === 0 ? ['speculative decoding'] : [],
              }),
            };
          },
        },
      ],
    });
    // Count once the API has stopped: a graceful stop lets requests still in flight finish
    // (row committed, job queued), so the counts cannot catch one halfway.
    await api.stop();
    const { rows } = await database.db.execute<{ stored: string }>(sql`select count(*) as stored from subscribers`);
    const counts = await queues.get('email').getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed', 'prioritized');
    const queued = Object.values(counts).reduce((sum, value) => sum + value, 0);
    return {
      accepted: result['2xx'],
      refused: result.non2xx,
      errors: result.errors,
      signupsPerSecond: result['2xx'] / seconds,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      stored: Number(rows[0]?.stored),
      confirmationJobs: queued,
      // The API answers 202 only after the row is committed and the job queued, so every answered
      // signup must show in both counts. Requests cut off when autocannon stops may add rows
      // without a job; the worker's confirmation sweep sends those.
      isNothingLost: Number(rows[0]?.stored) >= result['2xx'] && queued >= result['2xx'],
    };
  } finally {
    await api.stop();
    await queues.close();
    redis.disconnect();
    await database.close();
  }
}

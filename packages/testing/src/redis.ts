import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** A key prefix of its own, so test files can share one Redis without sharing queues. */
export function createQueuePrefix(): string {
  return `pbt-${randomBytes(5).toString('hex')}`;
}

export async function deleteKeysWithPrefix({ redisUrl, prefix }: { redisUrl: string; prefix: string }): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

import { Redis, type RedisOptions } from 'ioredis';

const HOW_TO_START_REDIS = 'start it with `redis-server --daemonize yes` or `docker compose up -d redis`';

/**
 * Producers (the API) must fail fast when Redis is down, so a request answers 503 instead
 * of hanging: no offline queue, one retry. Workers block on Redis and must retry forever.
 */
export function createRedis({ url, role }: { url: string; role: 'producer' | 'worker' }): Redis {
  const options: RedisOptions =
    role === 'producer'
      ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000, lazyConnect: true }
      : { maxRetriesPerRequest: null, lazyConnect: true };
  const redis = new Redis(url, options);
  // Connection errors surface through commands and readiness checks; without a listener
  // ioredis would print every reconnect attempt as an unhandled error.
  redis.on('error', () => {});
  return redis;
}

export function describeRedisError(error: unknown): string | undefined {
  const code = (error as { code?: string } | undefined)?.code;
  const message = error instanceof Error ? error.message : '';
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || /connect|Connection is closed|Stream isn't writeable/i.test(message)) {
    return `Redis is not reachable (${code ?? message}); ${HOW_TO_START_REDIS}.`;
  }
  return undefined;
}

/** Connects once and sends PING; throws when Redis does not answer. */
export async function pingRedis({ url, timeoutMs = 2_000 }: { url: string; timeoutMs?: number }): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}

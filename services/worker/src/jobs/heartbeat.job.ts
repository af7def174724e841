import type { Redis } from 'ioredis';

export const HEARTBEAT_EVERY_MS = 30_000;

export function heartbeatKey(prefix: string): string {
  return `${prefix}:worker-heartbeat`;
}

/** Records that a worker is alive and taking jobs; the key expires if no worker is. */
export async function recordHeartbeat({ redis, prefix, workerId }: { redis: Redis; prefix: string; workerId: string }) {
  await redis.set(heartbeatKey(prefix), JSON.stringify({ workerId, at: new Date().toISOString() }), 'PX', HEARTBEAT_EVERY_MS * 3);
}

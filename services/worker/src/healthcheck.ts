// Container healthcheck: healthy while this container's own worker has recorded a heartbeat recently.
import { hostname } from 'node:os';
import { loadConfigOrExit } from '@paperboy/config';
import { createRedis } from '@paperboy/queue';
import { hasOwnHeartbeat, isProcessAlive } from './heartbeat.ts';

const config = loadConfigOrExit();
const redis = createRedis({ url: config.redis.url, role: 'producer' });
try {
  await redis.connect();
  const isHealthy = await hasOwnHeartbeat({ redis, prefix: config.redis.queuePrefix, host: hostname(), isAlive: isProcessAlive });
  process.exitCode = isHealthy ? 0 : 1;
} catch {
  process.exitCode = 1;
} finally {
  redis.disconnect();
}

// Container healthcheck: healthy while a worker has recorded a heartbeat recently.
import { loadConfigOrExit } from '@paperboy/config';
import { createRedis } from '@paperboy/queue';
import { heartbeatKey } from './jobs/heartbeat.job.ts';

const config = loadConfigOrExit();
const redis = createRedis({ url: config.redis.url, role: 'producer' });
try {
  await redis.connect();
  const beat = await redis.get(heartbeatKey(config.redis.queuePrefix));
  process.exitCode = beat ? 0 : 1;
} catch {
  process.exitCode = 1;
} finally {
  redis.disconnect();
}

import { createQueues, createRedis, type TQueues } from '@paperboy/queue';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions
  interface FastifyInstance {
    redis: Redis;
    queues: TQueues;
  }
}

export const queuesPlugin = fp(
  async (app: FastifyInstance, options: { url: string; prefix: string }) => {
    const redis = createRedis({ url: options.url, role: 'producer' });
    // The API starts even when Redis is down: readiness says so, and enqueues answer 503.
    await redis.connect().catch((error: Error) => app.log.warn({ err: error }, 'Redis is not reachable yet'));
    const queues = createQueues({ connection: redis, prefix: options.prefix });
    app.decorate('redis', redis);
    app.decorate('queues', queues);
    app.addHook('onClose', async () => {
      await queues.close();
      redis.disconnect();
    });
  },
  { name: 'queues', dependencies: ['database'] },
);

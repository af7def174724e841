import { queueUnavailableError } from '@paperboy/domain';
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

/**
 * BullMQ waits for a connection that is down instead of failing; every producer in the API
 * refuses at once instead, with the queue outage every route answers as 503.
 */
function refuseWhileDown(queues: TQueues, redis: Redis): TQueues {
  const assertUp = () => {
    if (redis.status !== 'ready') throw queueUnavailableError({ cause: new Error(`Redis connection is ${redis.status}`) });
  };
  return {
    ...queues,
    enqueue: async (input) => {
      assertUp();
      await queues.enqueue(input);
    },
    enqueueMany: async (input) => {
      assertUp();
      await queues.enqueueMany(input);
    },
  };
}

export const queuesPlugin = fp(
  async (app: FastifyInstance, options: { url: string; prefix: string }) => {
    const redis = createRedis({ url: options.url, role: 'producer' });
    // The API starts even when Redis is down: readiness says so, and enqueues answer 503.
    await redis.connect().catch((error: Error) => app.log.warn({ err: error }, 'Redis is not reachable yet'));
    const queues = refuseWhileDown(createQueues({ connection: redis, prefix: options.prefix }), redis);
    app.decorate('redis', redis);
    app.decorate('queues', queues);
    app.addHook('onClose', async () => {
      await queues.close();
      redis.disconnect();
    });
  },
  { name: 'queues', dependencies: ['database'] },
);

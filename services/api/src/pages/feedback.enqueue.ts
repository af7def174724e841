import type { TEnqueueLikedPaperFetch } from '@paperboy/domain';
import { createEnqueueLikedPaperFetch } from '@paperboy/queue';
import type { FastifyInstance } from 'fastify';

/**
 * Hands liked papers not stored yet to the worker. The rows are committed by then and a later
 * ingest of the same ids links them anyway, so a queue that is down costs only the early lookup:
 * it is logged, and the reader's save still succeeds.
 */
export function enqueueLikedPaperFetch(app: FastifyInstance): TEnqueueLikedPaperFetch {
  const enqueue = createEnqueueLikedPaperFetch(app.queues);
  return async (arxivIds) => {
    try {
      // BullMQ waits for a connection that is down instead of failing; do not hold the request.
      if (app.redis.status !== 'ready') throw new Error(`Redis connection is ${app.redis.status}`);
      await enqueue(arxivIds);
    } catch (error) {
      app.log.warn({ err: error, count: arxivIds.length }, 'liked papers not queued for lookup; a later ingest will link them');
    }
  };
}

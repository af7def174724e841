import type { TConfig } from '@paperboy/config';
import type { TDatabase } from '@paperboy/db';
import { signup, type TEnqueueLikedPaperFetch, type TRequestOrigin, type TSignupInput } from '@paperboy/domain';
import { createEnqueueLikedPaperFetch, type TQueues } from '@paperboy/queue';
import type { FastifyBaseLogger } from 'fastify';

export type TSignupService = ReturnType<typeof createSignupService>;

/** Signups, from the form and from the JSON API alike; the confirmation goes out through the email queue. */
export function createSignupService({ db, queues, config, log }: { db: TDatabase; queues: TQueues; config: TConfig; log: FastifyBaseLogger }) {
  const enqueueLikedPaperFetch = createLikedPaperLookup({ queues, log });
  return {
    enqueueLikedPaperFetch,
    /** `traceId` (the request's id) follows the confirmation job into the worker's log lines. */
    signup: ({ input, origin, traceId }: { input: TSignupInput; origin: TRequestOrigin; traceId?: string }) =>
      signup({
        db,
        secretKey: config.security.secretKey,
        confirmationResendMs: config.subscriptions.confirmationResendMs,
        enqueueEmail: ({ job, subscriberId, jobId }) => queues.enqueue({ queue: 'email', job, payload: { subscriberId, traceId }, jobId }),
        enqueueLikedPaperFetch,
        input,
        origin,
      }),
  };
}

/**
 * Hands liked papers not stored yet to the worker. The rows are committed by then and a later
 * ingest of the same ids links them anyway, so a queue that is down costs only the early lookup:
 * it is logged, and the reader's save still succeeds.
 */
function createLikedPaperLookup({ queues, log }: { queues: TQueues; log: FastifyBaseLogger }): TEnqueueLikedPaperFetch {
  const enqueue = createEnqueueLikedPaperFetch(queues);
  return async (arxivIds) => {
    try {
      await enqueue(arxivIds);
    } catch (error) {
      log.warn({ err: error, count: arxivIds.length }, 'liked papers not queued for lookup; a later ingest will link them');
    }
  };
}

import type { TQueues } from './queues.ts';

/**
 * Send jobs are named by delivery and claim count, so re-enqueueing a row no job has touched
 * is a no-op while its job exists, and a fresh job once the row was claimed again.
 */
export function createEnqueueSends(queues: TQueues) {
  return (deliveries: { deliveryId: string; attempts: number }[]) =>
    queues.enqueueMany({
      queue: 'digest-sends',
      job: 'send',
      items: deliveries.map(({ deliveryId, attempts }) => ({ payload: { deliveryId }, jobId: `send-${deliveryId}-${attempts}` })),
    });
}

/** Match jobs for ingested papers, in bulk; their ids carry a hash of the text, so a re-ingest of an unchanged paper dedupes. */
export function createEnqueueMatches(queues: TQueues) {
  return (jobs: { paperId: number; jobId: string }[]) =>
    queues.enqueueMany({ queue: 'papers', job: 'match', items: jobs.map(({ paperId, jobId }) => ({ payload: { paperId }, jobId })) });
}

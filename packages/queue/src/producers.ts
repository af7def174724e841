import { createHash } from 'node:crypto';
import type { TQueues } from './queues.ts';

/**
 * Send jobs carry a batch of a run's deliveries: one job, one claim statement and a few
 * group-committed marks per batch, instead of one of each per message. A job is named by a hash
 * of its deliveries and their claim counts, so re-enqueueing rows no job has touched is a no-op
 * while their job exists, and a fresh job once they were claimed again.
 */
export function createEnqueueSends(queues: TQueues, { batchSize }: { batchSize: number }) {
  return ({ runId, deliveries }: { runId: string; deliveries: { deliveryId: string; attempts: number }[] }) => {
    const items = [];
    for (let start = 0; start < deliveries.length; start += batchSize) {
      const batch = deliveries.slice(start, start + batchSize);
      const hash = createHash('sha1');
      for (const { deliveryId, attempts } of batch) hash.update(`${deliveryId}/${attempts};`);
      items.push({ payload: { runId, deliveryIds: batch.map((item) => item.deliveryId) }, jobId: `send-${runId}-${hash.digest('hex')}` });
    }
    return queues.enqueueMany({ queue: 'digest-sends', job: 'send', items });
  };
}

/** Match jobs for ingested papers, in bulk; their ids carry a hash of the text, so a re-ingest of an unchanged paper dedupes. */
export function createEnqueueMatches(queues: TQueues) {
  return (jobs: { paperId: number; jobId: string }[]) =>
    queues.enqueueMany({ queue: 'papers', job: 'match', items: jobs.map(({ paperId, jobId }) => ({ payload: { paperId }, jobId })) });
}

import { createHash, randomUUID } from 'node:crypto';
import type { TQueues } from './queues.ts';

/**
 * Send jobs carry a batch of a run's deliveries: one job and a few claim and mark statements
 * per batch, instead of one of each per message. Every call makes fresh jobs (a random id):
 * callers enqueue only when a run starts or resumes, when failed deliveries are retried, and
 * when the supervisor finds the queue dry, and a job claims its rows, so a row on two jobs is
 * still sent once. (Ids derived from the rows would be ignored by BullMQ while a finished job
 * with the same id is kept, and a paused-then-resumed run would stall.)
 */
export function createEnqueueSends(queues: TQueues, { batchSize, traceId }: { batchSize: number; traceId?: string }) {
  return ({ runId, deliveries }: { runId: string; deliveries: { deliveryId: string }[] }) => {
    const items = [];
    for (let start = 0; start < deliveries.length; start += batchSize) {
      const batch = deliveries.slice(start, start + batchSize);
      items.push({ payload: { runId, deliveryIds: batch.map((item) => item.deliveryId), traceId }, jobId: `send-${runId}-${randomUUID()}` });
    }
    return queues.enqueueMany({ queue: 'digest-sends', job: 'send', items });
  };
}

// Papers per match job: each kind of match is one statement per batch, so a job of a hundred
// costs little more than a job of one.
const MATCH_BATCH = 100;

/**
 * Match jobs for ingested papers, a hundred papers a job, in bulk. A job is named by a hash of
 * its papers' keys (each names a paper's text), so re-ingesting unchanged papers dedupes. A
 * failed job of the same name is removed first: BullMQ keeps failed jobs for days and would
 * silently ignore the new one, leaving those papers unmatched until it forgot the old failure.
 */
export function createEnqueueMatches(queues: TQueues, { traceId }: { traceId?: string } = {}) {
  return async (papers: { paperId: number; key: string }[]) => {
    const queue = queues.get('papers');
    const items = [];
    for (let start = 0; start < papers.length; start += MATCH_BATCH) {
      const batch = papers.slice(start, start + MATCH_BATCH);
      const jobId = `match-${hashOf(batch.map((paper) => paper.key))}`;
      if ((await queue.getJobState(jobId)) === 'failed') await queue.remove(jobId);
      items.push({ payload: { paperIds: batch.map((paper) => paper.paperId), traceId }, jobId });
    }
    await queues.enqueueMany({ queue: 'papers', job: 'match', items });
  };
}

function hashOf(parts: string[]): string {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(`${part};`);
  return hash.digest('hex');
}

/**
 * A lookup of liked papers not stored yet, one job per set of ids and minute (a double submit
 * makes one job). The job re-reads which ids are still missing, so a later one for the same ids
 * is harmless, and one made after a failed lookup tries again.
 */
export function createEnqueueLikedPaperFetch(queues: TQueues, { now = () => Date.now() }: { now?: () => number } = {}) {
  return (arxivIds: string[]) => {
    const minute = Math.floor(now() / 60_000);
    return queues.enqueue({ queue: 'papers', job: 'fetch-liked-papers', payload: { arxivIds }, jobId: `liked-${hashOf([...arxivIds].sort())}-${minute}` });
  };
}

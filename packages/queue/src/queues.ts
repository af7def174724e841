import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { parsePayload, queueNames, type TJobName, type TJobPayload, type TQueueName } from './definitions.ts';

// Transient failures retry with exponential backoff and jitter; finished jobs are trimmed so
// Redis stays bounded. PostgreSQL holds the real state, so little history is needed here.
export const defaultJobOptions: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
  removeOnComplete: { count: 1_000, age: 3_600 },
  removeOnFail: { count: 10_000, age: 7 * 24 * 3_600 },
};

export type TEnqueue = <Q extends TQueueName, J extends TJobName<Q>>(input: {
  queue: Q;
  job: J;
  payload: TJobPayload<Q, J>;
  /** Deterministic id: BullMQ ignores a second add with the same id. No `:`, not all digits. */
  jobId?: string;
  options?: JobsOptions;
}) => Promise<void>;

export type TEnqueueMany = <Q extends TQueueName, J extends TJobName<Q>>(input: {
  queue: Q;
  job: J;
  items: { payload: TJobPayload<Q, J>; jobId: string }[];
}) => Promise<void>;

// addBulk is one round trip per chunk; chunks keep each MULTI small enough not to stall Redis.
const BULK_CHUNK = 1_000;

export type TQueues = {
  get: (name: TQueueName) => Queue;
  all: () => Queue[];
  enqueue: TEnqueue;
  enqueueMany: TEnqueueMany;
  close: () => Promise<void>;
};

export function assertJobId(jobId: string): string {
  if (jobId.includes(':') || /^\d+$/.test(jobId)) throw new Error(`Invalid BullMQ job id "${jobId}"`);
  return jobId;
}

export function createQueues({ connection, prefix }: { connection: Redis; prefix: string }): TQueues {
  const queues = new Map<TQueueName, Queue>(
    queueNames.map((name) => [name, new Queue(name, { connection, prefix, defaultJobOptions })]),
  );
  const get = (name: TQueueName) => {
    const queue = queues.get(name);
    if (!queue) throw new Error(`Unknown queue ${name}`);
    return queue;
  };
  return {
    get,
    all: () => [...queues.values()],
    enqueue: async ({ queue, job, payload, jobId, options }) => {
      const data = parsePayload(queue, job, payload);
      await get(queue).add(job, data, { ...options, ...(jobId ? { jobId: assertJobId(jobId) } : {}) });
    },
    enqueueMany: async ({ queue, job, items }) => {
      for (let start = 0; start < items.length; start += BULK_CHUNK) {
        const chunk = items.slice(start, start + BULK_CHUNK).map(({ payload, jobId }) => ({
          name: job,
          data: parsePayload(queue, job, payload),
          opts: { jobId: assertJobId(jobId) },
        }));
        await get(queue).addBulk(chunk);
      }
    },
    close: async () => {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
    },
  };
}

import { UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import { InvalidJobError, parsePayload, type TJobName, type TJobPayload, type TQueueName } from './definitions.ts';

export type THandlers<Q extends TQueueName> = {
  [J in TJobName<Q>]: (payload: TJobPayload<Q, J>, job: Job) => Promise<unknown>;
};

/**
 * A BullMQ worker whose callback only adapts: it validates the payload on receipt and hands
 * it to a plain function. A payload that does not parse can never succeed, so it is not retried.
 */
export function createQueueWorker<Q extends TQueueName>({
  queue,
  handlers,
  redisUrl,
  prefix,
  concurrency,
  options,
  around = (_job, run) => run(),
}: {
  queue: Q;
  handlers: THandlers<Q>;
  redisUrl: string;
  prefix: string;
  concurrency: number;
  options?: Partial<WorkerOptions>;
  /** Wraps every job's run, after its payload parsed (the worker binds the job's trace id to its log lines here). */
  around?: (job: Job, run: () => Promise<unknown>) => Promise<unknown>;
}): Worker {
  return new Worker(
    queue,
    async (job: Job) => {
      const name = job.name as TJobName<Q>;
      const handler = handlers[name];
      let payload: TJobPayload<Q, typeof name>;
      try {
        if (!handler) throw new InvalidJobError(queue, name, 'no handler');
        payload = parsePayload(queue, name, job.data);
      } catch (error) {
        throw new UnrecoverableError((error as Error).message);
      }
      return around(job, () => handler(payload, job));
    },
    {
      connection: { url: redisUrl, maxRetriesPerRequest: null },
      prefix,
      concurrency,
      autorun: false,
      ...options,
    },
  );
}

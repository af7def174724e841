import { z } from 'zod';

// The id of the request that queued a job (the API's request id), so its log lines and the
// worker's share one id. Optional: scheduled and swept jobs have no request. Only the plain form
// the API generates or accepts; any other is dropped, never refused, since a log field must not
// fail a job.
const traceId = z.string().regex(/^[\w.-]{1,64}$/).optional().catch(undefined);

// One typed map of queues and their payloads, shared by producers and workers. Payloads carry
// ids, never addresses or message bodies: the worker re-reads the rows it acts on.
export const queueDefinitions = {
  /** Bounce and complaint reports: the bounce mailbox, read on a schedule. */
  deliverability: {
    'bounce-mailbox': z.object({}).strict(),
  },
  /** Transactional mail: one message to one subscriber, rendered from their current row. */
  email: {
    confirmation: z.object({ subscriberId: z.uuid(), traceId }).strict(),
    'manage-preferences': z.object({ subscriberId: z.uuid(), traceId }).strict(),
  },
  papers: {
    /** Score a batch of papers against every topic and keyword phrase. */
    match: z.object({ paperIds: z.array(z.number().int().positive()).min(1).max(1_000), traceId }).strict(),
    /** Fetch every configured source URL (config.papers.sources) and ingest it. */
    'fetch-sources': z.object({}).strict(),
    /** Look up by id, on the arXiv API, papers readers named as liked that are not stored yet. */
    'fetch-liked-papers': z.object({ arxivIds: z.array(z.string().min(1).max(40)).min(1).max(100), traceId }).strict(),
  },
  /** Run control: the scheduler's tick, and moving a planned run's pending deliveries onto the send queue. */
  'digest-runs': {
    scheduled: z.object({ frequency: z.enum(['daily', 'weekly']) }).strict(),
    /** Move a planned run to sending and put every pending delivery on the send queue. */
    start: z.object({ runId: z.uuid(), traceId }).strict(),
  },
  /** A batch of one run's digests (DIGEST_SEND_BATCH_SIZE); the delivery rows hold everything else. */
  'digest-sends': {
    send: z.object({ runId: z.uuid(), deliveryIds: z.array(z.uuid()).min(1).max(1_000), traceId }).strict(),
  },
} as const;

export type TQueueName = keyof typeof queueDefinitions;
export type TJobName<Q extends TQueueName> = keyof (typeof queueDefinitions)[Q] & string;
export type TJobPayload<Q extends TQueueName, J extends TJobName<Q>> = z.infer<(typeof queueDefinitions)[Q][J]>;

export const queueNames = Object.keys(queueDefinitions) as TQueueName[];

export class InvalidJobError extends Error {
  constructor(queue: string, job: string, detail: string) {
    super(`Invalid ${queue}/${job} job: ${detail}`);
    this.name = 'InvalidJobError';
  }
}

export function parsePayload<Q extends TQueueName, J extends TJobName<Q>>(queue: Q, job: J, data: unknown): TJobPayload<Q, J> {
  const schema = (queueDefinitions[queue] as Record<string, z.ZodType>)[job];
  if (!schema) throw new InvalidJobError(queue, job, 'unknown job name');
  const result = schema.safeParse(data);
  if (!result.success) {
    throw new InvalidJobError(queue, job, result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  }
  return result.data as TJobPayload<Q, J>;
}

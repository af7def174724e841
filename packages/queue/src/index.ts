export { queueDefinitions, queueNames, parsePayload, InvalidJobError } from './definitions.ts';
export type { TJobName, TJobPayload, TQueueName } from './definitions.ts';
export { createQueues, defaultJobOptions, assertJobId } from './queues.ts';
export type { TEnqueue, TEnqueueMany, TQueues } from './queues.ts';
export { createQueueWorker } from './worker.ts';
export type { THandlers } from './worker.ts';
export { createRedis, describeRedisError, pingRedis } from './connection.ts';
export { createEnqueueLikedPaperFetch, createEnqueueMatches, createEnqueueSends } from './producers.ts';

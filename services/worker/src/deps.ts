import type { TConfig } from '@paperboy/config';
import type { TDatabase } from '@paperboy/db';
import type { TSubscriptionEmailSkeletons, TTopicModel } from '@paperboy/domain';
import type { TMailer, TTransactionalTemplates } from '@paperboy/email';
import type { Logger } from '@paperboy/logger';
import type { TQueues } from '@paperboy/queue';
import type { Redis } from 'ioredis';

/** What job handlers may use. Built once per worker process in runtime.ts. */
export type TWorkerDeps = {
  config: TConfig;
  logger: Logger;
  db: TDatabase;
  redis: Redis;
  queues: TQueues;
  mailer: TMailer;
  templates: TTransactionalTemplates;
  /** The fixed headers of the confirmation and preferences messages, built once with the templates. */
  subscriptionSkeletons: TSubscriptionEmailSkeletons;
  /** The trained topic matcher, read from its artifact once at start. */
  topicModel: TTopicModel;
};

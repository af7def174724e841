import { subscribers } from '@paperboy/db';
import { createSubscriptionEmailSkeletons, loadTopicModel } from '@paperboy/domain';
import { compileTransactionalTemplates, createMailer } from '@paperboy/email';
import { createLogger } from '@paperboy/logger';
import { createQueues, createQueueWorker, createRedis } from '@paperboy/queue';
import { configFor, startSmtpCatcher, useTestContext } from '@paperboy/testing';
import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { TWorkerDeps } from '../deps.ts';
import { closeWorkers } from '../runtime.ts';
import { createEmailHandlers } from './email.jobs.ts';

const logger = createLogger({ level: 'silent', name: 'test' });

describe('email jobs', () => {
  const context = useTestContext();

  async function harness(prefixSuffix: string) {
    const catcher = await startSmtpCatcher();
    const config = configFor(context, { SMTP_URL: catcher.url, QUEUE_PREFIX: `${context.queuePrefix}-${prefixSuffix}` });
    const redis = createRedis({ url: context.redisUrl, role: 'worker' });
    await redis.connect();
    const queues = createQueues({ connection: redis, prefix: config.redis.queuePrefix });
    const mailer = createMailer({ smtpUrl: catcher.url });
    const deps: TWorkerDeps = { config, logger, db: context.database.db, redis, queues, mailer, templates: await compileTransactionalTemplates(), subscriptionSkeletons: createSubscriptionEmailSkeletons({ from: config.mail.from }), topicModel: await loadTopicModel() };
    const worker = createQueueWorker({ queue: 'email', handlers: createEmailHandlers(deps), redisUrl: context.redisUrl, prefix: config.redis.queuePrefix, concurrency: 2 });
    void worker.run();
    const [row] = await context.database.db
      .insert(subscribers)
      .values({ email: `${prefixSuffix}@example.org`, emailHash: `hash-${prefixSuffix}` })
      .returning();
    const close = async () => {
      await closeWorkers({ workers: [worker], timeoutMs: 5_000, logger });
      await queues.close();
      mailer.close();
      await redis.quit();
      await catcher.close();
    };
    return { catcher, queues, worker, subscriberId: row!.id, close };
  }

  it('a confirmation job taken from the queue sends the confirmation email', async () => {
    const { catcher, queues, subscriberId, close } = await harness('send');
    try {
      await queues.enqueue({ queue: 'email', job: 'confirmation', payload: { subscriberId }, jobId: `confirmation-${subscriberId}` });
      const [message] = await catcher.waitForMessages(1);
      expect(message!.envelope.to).toEqual(['send@example.org']);
      expect(message!.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    } finally {
      await close();
    }
  });

  it('a permanent SMTP refusal fails the job without retries, keeping only its classification', async () => {
    const { catcher, queues, worker, subscriberId, close } = await harness('refused');
    try {
      catcher.respondToRecipient((address) => ({ code: 550, message: `5.1.1 <${address}>: No such user` }));
      const failed = new Promise<Job>((resolve) => worker.on('failed', (job) => job && resolve(job)));
      await queues.enqueue({ queue: 'email', job: 'confirmation', payload: { subscriberId }, jobId: `confirmation-${subscriberId}` });
      const job = await failed;
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toBe('SMTP 5.1.1 hard');
    } finally {
      await close();
    }
  });
});

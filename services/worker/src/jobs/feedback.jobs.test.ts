import { papers, subscriberSeedPapers } from '@paperboy/db';
import { createFeedbackRepository } from '@paperboy/domain';
import { startArxivStub, type TArxivStub } from '@paperboy/domain/feedback-fixtures';
import { insertDigestFixture } from '@paperboy/domain/test-fixtures';
import { createLogger } from '@paperboy/logger';
import { createEnqueueLikedPaperFetch, createQueues, createRedis } from '@paperboy/queue';
import { configFor, startSmtpCatcher, useTestContext, type TSmtpCatcher } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWorkerRuntime, type TWorkerRuntime } from '../runtime.ts';

describe('the liked-papers lookup job', () => {
  const context = useTestContext();
  let stub: TArxivStub;
  let catcher: TSmtpCatcher;
  let runtime: TWorkerRuntime;

  beforeAll(async () => {
    stub = await startArxivStub({ titles: { '2504.00123': 'A paper a reader liked' } });
    catcher = await startSmtpCatcher();
    runtime = createWorkerRuntime({
      config: configFor(context, { SMTP_URL: catcher.url, ARXIV_API_URL: stub.url, DIGEST_SCHEDULES_ENABLED: 'false' }),
      logger: createLogger({ level: 'silent', name: 'test' }),
    });
    await runtime.start();
  });
  afterAll(async () => {
    await runtime?.close();
    await catcher?.close();
    await stub?.close();
  });

  it('fetches the papers by id from ARXIV_API_URL and links them to the reader who named them', async () => {
    const { db } = context.database;
    const fixture = await insertDigestFixture({ db, topicSlugs: ['llms'], paperList: [{ arxivId: '2611.00001', upvotes: 1 }], subscriberList: [{ email: 'ada@example.org' }] });
    const subscriberId = fixture.subscriberId.get('ada@example.org')!;
    const { unresolved } = await createFeedbackRepository({ db }).replaceLikedPapers({ subscriberId, arxivIds: ['2504.00123'], now: new Date() });
    expect(unresolved).toEqual(['2504.00123']);

    const redis = createRedis({ url: context.redisUrl, role: 'producer' });
    const queues = createQueues({ connection: redis, prefix: context.queuePrefix });
    try {
      await createEnqueueLikedPaperFetch(queues)(unresolved);
    } finally {
      await queues.close();
      redis.disconnect();
    }
    await vi.waitFor(
      async () => {
        const [row] = await db
          .select({ title: papers.title })
          .from(subscriberSeedPapers)
          .innerJoin(papers, eq(papers.id, subscriberSeedPapers.paperId))
          .where(eq(subscriberSeedPapers.subscriberId, subscriberId));
        expect(row).toEqual({ title: 'A paper a reader liked' });
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(stub.requests).toEqual([['2504.00123']]);
  });
});

import { keywords, paperKeywords, papers, subscriberKeywords, subscribers, topics } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { chooseKeywords } from './subscriptions.keywords.ts';
import { signup } from './subscriptions.usecases.ts';

describe('choosing keywords', () => {
  const context = useTestContext();

  it('a phrase nobody chose before is matched against the recent papers at once', async () => {
    const { db } = context.database;
    const [paper] = await db
      .insert(papers)
      .values({ arxivId: '2611.01234', title: 'Faster speculative decoding with draft trees', abstract: 'We speed up inference.', source: 'test' })
      .returning();
    const [subscriber] = await db.insert(subscribers).values({ email: 'ada@example.org', emailHash: 'h-ada', status: 'confirmed' }).returning();

    await chooseKeywords({ db, subscriberId: subscriber!.id, phrases: ['speculative decoding'] });

    const matches = await db.select().from(paperKeywords).where(eq(paperKeywords.paperId, paper!.id));
    expect(matches).toHaveLength(1);
    expect(matches[0]!.score).toBeGreaterThan(0);
  });

  it('signups racing with the same brand-new phrase are each linked to it, and the phrase is matched once', async () => {
    const { db } = context.database;
    await db.insert(topics).values({ slug: 'llms', name: 'LLMs', description: 'x', terms: [{ term: 'LLM', weight: 1 }] });
    const [paper] = await db
      .insert(papers)
      .values({ arxivId: '2611.04321', title: 'Mixture of depths for world simulators', abstract: 'A study.', source: 'test' })
      .returning();
    const input = { topics: ['llms'], keywords: ['mixture of depths', 'speculative decoding'], frequency: 'weekly' as const, digestSize: 10 as const };
    await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        signup({ db, secretKey: 'k'.repeat(32), confirmationResendMs: 600_000, enqueueEmail: async () => {}, input: { ...input, email: `racer${index}@example.org` } }),
      ),
    );

    const links = await db
      .select({ email: subscribers.email, phrase: keywords.phrase })
      .from(subscriberKeywords)
      .innerJoin(keywords, eq(keywords.id, subscriberKeywords.keywordId))
      .innerJoin(subscribers, eq(subscribers.id, subscriberKeywords.subscriberId))
      .where(like(subscribers.email, 'racer%'));
    for (const phrase of input.keywords) expect(links.filter((link) => link.phrase === phrase)).toHaveLength(12);
    const matches = await db.select().from(paperKeywords).where(eq(paperKeywords.paperId, paper!.id));
    expect(matches).toHaveLength(1);
  });
});

import { paperKeywords, papers, subscribers } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { chooseKeywords } from './keywords.ts';

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
});

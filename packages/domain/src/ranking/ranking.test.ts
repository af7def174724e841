import { deliveries, digestRuns, keywords, papers, paperTopics, sentPapers, subscriberKeywords, subscribers, subscriberTopics, topics } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { matchKeywords } from '../matching/matching.usecases.ts';
import { storePapers } from '../papers/papers.usecases.ts';
import { loadTopicModel } from '../matching/matching.model.ts';
import { seedDatabase } from '../seed/seed.usecases.ts';

const model = await loadTopicModel();
import { formatWhy, rankOf, trendingOf } from './ranking.formula.ts';
import { findCandidates } from './ranking.test-oracle.ts';

const LONG_AGO = new Date('2000-01-01T00:00:00Z');

describe('the "why you got this" line', () => {
  it('names topics with their terms and keywords in quotes, best first, and never repeats the upvotes', () => {
    const why = formatWhy({
      reasons: [
        { kind: 'keyword', label: 'kv cache', terms: ['kv cache'], score: 2 },
        { kind: 'topic', label: 'LLMs', terms: ['LLM', 'language model', 'GPT', 'transformer'], score: 5 },
      ],
    });
    expect(why).toBe('LLMs (LLM, language model, GPT); “kv cache”');
    expect(why).not.toMatch(/upvote/);
  });
  it('puts the paper the reader rated up first when their ratings brought the paper', () => {
    const why = formatWhy({ reasons: [{ kind: 'topic', label: 'LLMs', terms: ['LLM'], score: 5 }], likedTitle: 'Attention is all you need' });
    expect(why).toBe('Like “Attention is all you need”, which you rated up; LLMs (LLM)');
  });
});

describe('the topic-and-keyword ranking (checked against its SQL statement in the test oracle)', () => {
  const context = useTestContext();

  beforeAll(async () => {
    await seedDatabase({ db: context.database.db, model });
  });

  async function paperId(arxivId: string) {
    const [row] = await context.database.db.select({ id: papers.id }).from(papers).where(eq(papers.arxivId, arxivId));
    return row!.id;
  }

  async function subscriber(name: string) {
    const [row] = await context.database.db
      .insert(subscribers)
      .values({ email: `${name}@example.org`, emailHash: `hash-${name}`, status: 'confirmed' })
      .returning({ id: subscribers.id });
    return row!.id;
  }

  it("derives a subscriber's candidates from their topics and keywords, excluding papers already sent, each with a why line", async () => {
    const { db } = context.database;
    const [compression] = await db.select().from(topics).where(eq(topics.slug, 'llm-compression'));
    const reader = await subscriber('reader');
    const other = await subscriber('other');
    await db.insert(subscriberTopics).values({ subscriberId: reader, topicId: compression!.id });
    const [keyword] = await db.insert(keywords).values({ phrase: 'Tucker decomposition' }).returning();
    await db.insert(subscriberKeywords).values({ subscriberId: reader, keywordId: keyword!.id });
    expect((await matchKeywords({ db, keywordIds: [keyword!.id], since: LONG_AGO })).matched).toBeGreaterThan(0);

    const candidates = await findCandidates({ db, subscriberId: reader, since: LONG_AGO, limit: 100 });
    const compressionPapers = await db.select({ paperId: paperTopics.paperId }).from(paperTopics).where(eq(paperTopics.topicId, compression!.id));
    const tucker = await paperId('2402.16996');
    expect(new Set(candidates.map((candidate) => candidate.paperId))).toEqual(new Set([...compressionPapers.map((row) => row.paperId), tucker]));
    expect(candidates.find((candidate) => candidate.paperId === tucker)!.why).toMatch(/^“Tucker decomposition”$/);
    const compressed = candidates.find((candidate) => candidate.reasons[0]?.slug === 'llm-compression')!;
    expect(compressed.why).toMatch(/^Model compression and quantization \(.+\)$/);
    expect(candidates.map((candidate) => candidate.position)).toEqual(candidates.map((_, index) => index + 1));
    expect(await findCandidates({ db, subscriberId: other, since: LONG_AGO, limit: 100 })).toEqual([]);

    const [run] = await db.insert(digestRuns).values({ frequency: 'weekly', trigger: 'admin', periodKey: 'test', periodStart: LONG_AGO, periodEnd: new Date() }).returning();
    const [delivery] = await db.insert(deliveries).values({ runId: run!.id, subscriberId: reader, paperIds: [] }).returning();
    await db.insert(sentPapers).values({ subscriberId: reader, paperId: tucker, deliveryId: delivery!.id });
    const after = await findCandidates({ db, subscriberId: reader, since: LONG_AGO, limit: 100 });
    expect(after.map((candidate) => candidate.paperId)).not.toContain(tucker);
    expect(after).toHaveLength(candidates.length - 1);
    expect(await findCandidates({ db, subscriberId: reader, since: new Date(Date.now() + 60_000), limit: 100 })).toEqual([]);
  });

  it('ranks by the documented formula, so a strong match with few upvotes beats a weak match with many', async () => {
    const { db } = context.database;
    const [theory] = await db.select().from(topics).where(eq(topics.slug, 'learning-theory'));
    const reader = await subscriber('ranker');
    await db.insert(subscriberTopics).values({ subscriberId: reader, topicId: theory!.id });
    // The scores are set, not matched: this is the ranking's formula, whatever the matcher decides.
    const stored = await storePapers({
      db,
      source: 'test',
      papers: [
        { arxivId: '2406.00101', title: 'Benign overfitting in the infinite-width limit', abstract: 'A generalization bound.', authors: [], categories: [], upvotes: 3 },
        { arxivId: '2406.00102', title: 'A popular benchmark', abstract: 'We study models.', authors: [], categories: [], upvotes: 900 },
      ],
    });
    const [strongId, weakId] = stored.toMatch.map((paper) => paper.paperId);
    await db.insert(paperTopics).values([
      { paperId: strongId!, topicId: theory!.id, score: 9, matchedTerms: ['generalization bound'] },
      { paperId: weakId!, topicId: theory!.id, score: 1.5, matchedTerms: ['generalization'] },
    ]);
    const candidates = await findCandidates({ db, subscriberId: reader, since: LONG_AGO, limit: 100 });
    const strong = candidates.find((candidate) => candidate.arxivId === '2406.00101')!;
    const weak = candidates.find((candidate) => candidate.arxivId === '2406.00102')!;
    expect(strong.position).toBeLessThan(weak.position);
    for (const candidate of [strong, weak]) {
      const scores = candidate.reasons.map((reason) => reason.score);
      expect(candidate.rank).toBeCloseTo(rankOf(scores.reduce((sum, score) => sum + score, 0), trendingOf(candidate.upvotes)), 5);
    }
    expect(rankOf(9, trendingOf(10))).toBeGreaterThan(rankOf(1.5, trendingOf(500)));
    expect(rankOf(3, trendingOf(100))).toBeGreaterThan(rankOf(3, trendingOf(10)));
  });

});

import { deliveries, digestRuns, keywords, papers, paperTopics, sentPapers, subscriberKeywords, subscribers, subscriberTopics, topics } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { storePapers } from '../papers/papers.usecases.ts';
import { seedDatabase } from '../seed/seed.usecases.ts';
import { findCandidates, rankOf } from './matching.candidates.ts';
import { compileTerm } from './matching.terms.ts';
import { matchKeywords, matchPapers, rescoreTopic } from './matching.usecases.ts';

const LONG_AGO = new Date('2000-01-01T00:00:00Z');

describe('compiling topic terms into full-text queries', () => {
  it('matches acronyms as a lexeme or its plural, confirmed case-sensitively', () => {
    expect(compileTerm('LLM')).toEqual([{ config: 'simple', query: 'llm | llms', pattern: '\\mLLMs?\\M' }]);
  });
  it('spells hyphenated terms three ways, but never shrinks one to a stop word', () => {
    expect(compileTerm('fine-tuning').map((variant) => variant.query)).toEqual(['fine-tuning', 'fine tuning', 'finetuning']);
    expect(compileTerm('in-context learning').map((variant) => variant.query)).toEqual(['in-context learning', 'incontext learning']);
  });
  it('adds the British spelling of -ize words', () => {
    expect(compileTerm('quantization').map((variant) => variant.query)).toEqual(['quantization', 'quantisation']);
  });
});

describe('matching papers to topics and subscribers', () => {
  const context = useTestContext();

  async function paperId(arxivId: string) {
    const [row] = await context.database.db.select({ id: papers.id }).from(papers).where(eq(papers.arxivId, arxivId));
    return row!.id;
  }

  async function topicsOf(arxivId: string) {
    const rows = await context.database.db
      .select({ slug: topics.slug, matchedTerms: paperTopics.matchedTerms })
      .from(paperTopics)
      .innerJoin(topics, eq(topics.id, paperTopics.topicId))
      .where(eq(paperTopics.paperId, await paperId(arxivId)));
    return Object.fromEntries(rows.map((row) => [row.slug, row.matchedTerms]));
  }

  async function subscriber(name: string) {
    const [row] = await context.database.db
      .insert(subscribers)
      .values({ email: `${name}@example.org`, emailHash: `hash-${name}`, status: 'confirmed' })
      .returning({ id: subscribers.id });
    return row!.id;
  }

  it('puts known sample papers under the topics a reader would give them, with the terms that matched', async () => {
    await seedDatabase({ db: context.database.db });
    const tucker = await topicsOf('2402.16996');
    expect(Object.keys(tucker).sort()).toEqual(['bayesian-inference', 'gaussian-processes', 'tensor-methods']);
    expect(tucker['gaussian-processes']).toContain('Gaussian process');
    const bnn = await topicsOf('2403.12966');
    expect(bnn).toHaveProperty('bayesian-inference');
    expect(bnn).toHaveProperty('sparsity-pruning');
    const [row] = await context.database.db.select({ matchedAt: papers.matchedAt }).from(papers).where(eq(papers.arxivId, '2402.16996'));
    expect(row!.matchedAt).toBeInstanceOf(Date);
  });

  it('tells the acronym "VI" from the roman numeral "vi" and counts "LLMs" as "LLM"', async () => {
    const { db } = context.database;
    const stored = await storePapers({
      db,
      source: 'test',
      papers: [
        { arxivId: '2406.00001', title: 'Notes on chapter vi of an old book', abstract: 'We re-read section vi and part vi.', authors: [], categories: [], upvotes: 0 },
        { arxivId: '2406.00002', title: 'Amortised VI for hierarchical models', abstract: 'Variational inference (VI) with an evidence lower bound scales to large models.', authors: [], categories: [], upvotes: 0 },
      ],
    });
    await matchPapers({ db, paperIds: stored.toMatch.map((paper) => paper.paperId) });
    expect(await topicsOf('2406.00001')).toEqual({});
    expect((await topicsOf('2406.00002'))['bayesian-inference']).toEqual(expect.arrayContaining(['VI', 'variational inference']));
  });

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
    expect(candidates.find((candidate) => candidate.paperId === tucker)!.why).toMatch(/^“Tucker decomposition” · 193 upvotes$/);
    const compressed = candidates.find((candidate) => candidate.reasons[0]?.slug === 'llm-compression')!;
    expect(compressed.why).toMatch(new RegExp(`^Model compression and quantization \\(.+\\) · ${compressed.upvotes} upvotes?$`));
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
    const stored = await storePapers({
      db,
      source: 'test',
      papers: [
        { arxivId: '2406.00101', title: 'Benign overfitting and double descent in the infinite-width limit', abstract: 'A generalization bound via the neural tangent kernel and implicit bias, with a PAC-Bayes analysis.', authors: [], categories: [], upvotes: 3 },
        { arxivId: '2406.00102', title: 'A popular benchmark', abstract: 'We study generalization of models; our main theorem gives a convergence rate.', authors: [], categories: [], upvotes: 900 },
      ],
    });
    await matchPapers({ db, paperIds: stored.toMatch.map((paper) => paper.paperId) });
    const candidates = await findCandidates({ db, subscriberId: reader, since: LONG_AGO, limit: 100 });
    const strong = candidates.find((candidate) => candidate.arxivId === '2406.00101')!;
    const weak = candidates.find((candidate) => candidate.arxivId === '2406.00102')!;
    expect(strong.position).toBeLessThan(weak.position);
    for (const candidate of [strong, weak]) {
      const scores = candidate.reasons.map((reason) => reason.score);
      expect(candidate.rank).toBeCloseTo(rankOf(scores.reduce((sum, score) => sum + score, 0), candidate.upvotes), 5);
    }
    expect(rankOf(9, 10)).toBeGreaterThan(rankOf(1.5, 500));
    expect(rankOf(3, 100)).toBeGreaterThan(rankOf(3, 10));
  });

  it('re-scores recent papers when a topic’s terms change', async () => {
    const { db } = context.database;
    const [topic] = await db.update(topics).set({ terms: [{ term: 'Tucker', weight: 1 }] }).where(eq(topics.slug, 'optimization')).returning();
    await rescoreTopic({ db, topicId: topic!.id, since: LONG_AGO });
    const rows = await db.select({ paperId: paperTopics.paperId }).from(paperTopics).where(eq(paperTopics.topicId, topic!.id));
    expect(rows.map((row) => row.paperId)).toContain(await paperId('2402.16996'));
    expect(rows.map((row) => row.paperId)).not.toContain(await paperId('2403.11330'));
  });
});

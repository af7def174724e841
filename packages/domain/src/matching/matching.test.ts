import { keywords, paperKeywords, papers, paperTopics, topics } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { storePapers } from '../papers/papers.usecases.ts';
import { seedDatabase } from '../seed/seed.usecases.ts';
import { INDEXED_LOOKUP_MAX_TERMS } from './matching.scoring.ts';
import { compileTerm, compileTerms } from './matching.terms.ts';
import { loadTopicModel } from './matching.model.ts';
import { matchKeywords, matchPapers, readTermHits, rescoreTopic } from './matching.usecases.ts';

const LONG_AGO = new Date('2000-01-01T00:00:00Z');
const model = await loadTopicModel();

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

  it('puts known sample papers under the topics a reader would give them, with the terms that matched', async () => {
    await seedDatabase({ db: context.database.db, model });
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
    await matchPapers({ db, model, paperIds: stored.toMatch.map((paper) => paper.paperId) });
    expect(await topicsOf('2406.00001')).toEqual({});
    expect((await topicsOf('2406.00002'))['bayesian-inference']).toEqual(expect.arrayContaining(['VI', 'variational inference']));
  });

  it("matches a subscriber's acronym keyword in its plural and never as a lower-case word", async () => {
    const { db } = context.database;
    const stored = await storePapers({
      db,
      source: 'test',
      papers: [
        { arxivId: '2406.00011', title: 'Scaling LLMs to long documents', abstract: 'Large models read whole books.', authors: [], categories: [], upvotes: 0 },
        { arxivId: '2406.00012', title: 'Notes on chapter vi', abstract: 'Section vi of part vi, and an llm written in lower case.', authors: [], categories: [], upvotes: 0 },
        { arxivId: '2406.00013', title: 'Amortised VI', abstract: 'Fast VI for hierarchical models.', authors: [], categories: [], upvotes: 0 },
      ],
    });
    const rows = await db.insert(keywords).values([{ phrase: 'LLM' }, { phrase: 'VI' }]).returning();
    await matchKeywords({ db, keywordIds: rows.map((row) => row.id), since: LONG_AGO });
    const matched = await db
      .select({ arxivId: papers.arxivId, phrase: keywords.phrase })
      .from(paperKeywords)
      .innerJoin(papers, eq(papers.id, paperKeywords.paperId))
      .innerJoin(keywords, eq(keywords.id, paperKeywords.keywordId))
      .where(inArray(paperKeywords.paperId, stored.toMatch.map((paper) => paper.paperId)));
    expect(matched.map((row) => `${row.phrase} ${row.arxivId}`).sort()).toEqual(['LLM 2406.00011', 'VI 2406.00013']);
  });

  it('re-scores recent papers when a topic’s terms change, so an added term brings in the papers that use it', async () => {
    const { db } = context.database;
    // Made-up words: no text feature of the model speaks for or against any topic.
    const stored = await storePapers({
      db,
      source: 'test',
      papers: [{ arxivId: '2406.00201', title: 'Zorblax for quillets', abstract: 'We study zorblax on quillets.', authors: [], categories: [], upvotes: 0 }],
    });
    await matchPapers({ db, model, paperIds: stored.toMatch.map((paper) => paper.paperId) });
    expect(await topicsOf('2406.00201')).toEqual({});
    const [topic] = await db.update(topics).set({ terms: [{ term: 'zorblax', weight: 1 }] }).where(eq(topics.slug, 'sparsity-pruning')).returning();
    await rescoreTopic({ db, model, topicId: topic!.id, since: LONG_AGO });
    expect(await topicsOf('2406.00201')).toEqual({ 'sparsity-pruning': ['zorblax'] });
    const rows = await db.select({ paperId: paperTopics.paperId }).from(paperTopics).where(eq(paperTopics.topicId, topic!.id));
    expect(rows.map((row) => row.paperId)).not.toContain(await paperId('2403.11330'));
  });

  it('scores a few terms alike whether the index narrows the papers first or every paper is split', async () => {
    const { db } = context.database;
    await seedDatabase({ db, model });
    const few = [{ id: -1, terms: ['LLM', 'diffusion', 'fine-tuning', 'Gaussian process', 'VI'].map((term) => ({ term, weight: 1 })) }];
    const every = await db.select({ id: topics.id, terms: topics.terms }).from(topics);
    // The two statement shapes: few queries are looked up in the index, many are tested on every paper.
    expect(compileTerms(few).length).toBeLessThanOrEqual(INDEXED_LOOKUP_MAX_TERMS);
    expect(compileTerms(every).length).toBeGreaterThan(INDEXED_LOOKUP_MAX_TERMS);
    const alone = await readTermHits({ db, topicRows: few, paperScope: sql`true` });
    const amongMany = await readTermHits({ db, topicRows: [...few, ...every], paperScope: sql`true` });
    const ofFew = [...amongMany].filter(([key]) => key.endsWith(':-1'));
    expect(alone.size).toBeGreaterThan(5);
    expect([...alone].sort()).toEqual(ofFew.sort());
  });
});

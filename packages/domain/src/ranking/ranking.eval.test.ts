import { readFileSync } from 'node:fs';
import { repoPath } from '@paperboy/runtime';
import { deliveries, digestRuns, paperRatings, papers, sentPapers, subscribers } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTopicModel } from '../matching/matching.model.ts';
import { readSeedPapers, seedDatabase } from '../seed/seed.usecases.ts';

const model = await loadTopicModel();
import { createRandom, createReaders, interestsOf, isWanted, precisionAt10, rate, summarise, type TSimulatedReader } from './ranking.eval-readers.ts';
import { simulateWeeks, type TEvalPaper, type TReaderScore } from './ranking.eval.ts';

describe('the simulated readers', () => {
  const diffusion = { name: 'diffusion-models within generative-models', labels: ['generative-models', 'diffusion-models'] };

  it('want a paper only when it carries every label of their interest', () => {
    expect(isWanted(diffusion, ['generative-models', 'diffusion-models', 'computer-vision'])).toBe(true);
    expect(isWanted(diffusion, ['generative-models'])).toBe(false);
  });

  it('rate up what they want and down what they do not, and flip every rating at noise 1', () => {
    const random = createRandom(1);
    expect(rate({ interest: diffusion, paperLabels: ['generative-models', 'diffusion-models'], random, noise: 0 })).toBe(1);
    expect(rate({ interest: diffusion, paperLabels: ['llms'], random, noise: 0 })).toBe(-1);
    expect(rate({ interest: diffusion, paperLabels: ['llms'], random, noise: 1 })).toBe(1);
  });

  it('count the empty places of a short digest as misses in precision@10', () => {
    expect(precisionAt10(diffusion, [['generative-models', 'diffusion-models'], ['llms']])).toBeCloseTo(0.1);
  });

  it('subscribe to the broad topic their interest lies in, and to one or two others', () => {
    const labels = new Map([
      ['a', ['generative-models', 'diffusion-models']],
      ['b', ['generative-models', 'diffusion-models']],
      ['c', ['llms']],
    ]);
    const interests = interestsOf({ labels, minPapers: 2 });
    expect(interests.map((interest) => interest.name)).toEqual(['diffusion-models', 'generative-models', 'diffusion-models within generative-models']);
    for (const reader of createReaders({ interests, topics: ['diffusion-models', 'generative-models', 'llms'], count: 9, random: createRandom(2) })) {
      expect(reader.topics).toContain(reader.interest.labels[0]);
      expect(reader.topics.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('find the reader the learned ranking treats worst, over the weeks after the first, and the share of one-topic digests', () => {
    const scores: TReaderScore[] = [
      { reader: 'a', week: 1, arm: 'topics', precision: 0.9 },
      { reader: 'a', week: 1, arm: 'learned', precision: 0 },
      { reader: 'a', week: 2, arm: 'topics', precision: 0.4, isOneTopic: true },
      { reader: 'a', week: 2, arm: 'learned', precision: 0.6 },
      { reader: 'b', week: 1, arm: 'topics', precision: 0.5 },
      { reader: 'b', week: 1, arm: 'learned', precision: 0.5 },
      { reader: 'b', week: 2, arm: 'topics', precision: 0.5, isOneTopic: false },
      { reader: 'b', week: 2, arm: 'learned', precision: 0.3, isOneTopic: true },
      { reader: 'b', week: 2, arm: 'ceiling', precision: 1 },
    ];
    const { table, worst } = summarise(scores);
    expect(worst.reader).toBe('b');
    expect(worst.difference).toBeCloseTo(-0.2);
    expect(table[1]!.week).toBe(2);
    expect(table[1]!.topics).toBeCloseTo(0.45);
    expect(table[1]!.learned).toBeCloseTo(0.45);
    expect(table[1]!.ceiling).toBe(1);
    // Only readers whose week offered several of their topics count towards the one-topic share.
    expect(table[1]!.oneTopic).toEqual({ topics: 0.5, learned: 1 });
  });
});

const START = new Date('2026-01-05T00:00:00Z');

describe('a simulated month on the real planner', () => {
  const context = useTestContext();
  const labels = JSON.parse(readFileSync(repoPath('seeds', 'labels.json'), 'utf8')) as Record<string, string[]>;
  const labelledPapers: TEvalPaper[] = readSeedPapers().map((paper) => ({ ...paper, labels: labels[paper.arxivId] ?? [] }));
  const labelsOf = new Map(labelledPapers.map((paper) => [paper.arxivId, paper.labels]));
  const readers: TSimulatedReader[] = [
    { name: 'reader-1', interest: { name: 'llm-compression', labels: ['llm-compression'] }, topics: ['bayesian-inference', 'llm-compression', 'llms'] },
    { name: 'reader-2', interest: { name: 'gaussian-processes', labels: ['gaussian-processes'] }, topics: ['bayesian-inference', 'gaussian-processes'] },
  ];
  let scores: TReaderScore[];

  beforeAll(async () => {
    await seedDatabase({ db: context.database.db, model });
    scores = await simulateWeeks({ db: context.database.db, model, labelledPapers, readers, weeks: 3, noise: 0, random: createRandom(3), start: START });
  });

  async function digestsOf(email: string) {
    const { db } = context.database;
    return db
      .select({ paperIds: deliveries.paperIds, periodEnd: digestRuns.periodEnd })
      .from(deliveries)
      .innerJoin(subscribers, eq(subscribers.id, deliveries.subscriberId))
      .innerJoin(digestRuns, eq(digestRuns.id, deliveries.runId))
      .where(eq(subscribers.email, email));
  }

  async function arxivIdOf(paperId: number) {
    const [row] = await context.database.db.select({ arxivId: papers.arxivId }).from(papers).where(eq(papers.id, paperId));
    return row!.arxivId;
  }

  it('scores each reader in each arm every week, both arms alike before the first ratings', () => {
    expect(scores).toHaveLength(readers.length * 3 * 3);
    for (const reader of readers) {
      const firstWeek = scores.filter((score) => score.reader === reader.name && score.week === 1);
      expect(firstWeek.find((score) => score.arm === 'topics')!.precision).toBe(firstWeek.find((score) => score.arm === 'learned')!.precision);
    }
  });

  it('scores exactly the papers each digest held, against the hidden interest', async () => {
    for (const reader of readers) {
      for (const arm of ['topics', 'learned'] as const) {
        const digests = await digestsOf(`${reader.name}.${arm}@eval.test`);
        // One digest a simulated week: each week is a new period for the one-digest-per-period rule.
        expect(digests).toHaveLength(3);
        for (const digest of digests) {
          const week = Math.round((digest.periodEnd.getTime() - START.getTime()) / (7 * 24 * 3_600_000));
          const digestLabels = await Promise.all(digest.paperIds.map(async (id) => labelsOf.get(await arxivIdOf(id)) ?? []));
          const recorded = scores.find((score) => score.reader === reader.name && score.arm === arm && score.week === week)!;
          expect(recorded.precision).toBe(precisionAt10(reader.interest, digestLabels));
          const topicsHeld = new Set(digestLabels.flat().filter((label) => reader.topics.includes(label)));
          // Undefined when the week offered fewer than two of the reader's topics.
          expect([topicsHeld.size <= 1, undefined]).toContain(recorded.isOneTopic);
        }
      }
    }
  });

  it('records every paper as received once, and ratings only in the learned arm, as the reader would give them', async () => {
    const { db } = context.database;
    const delivered = (await db.select({ paperIds: deliveries.paperIds }).from(deliveries)).flatMap((row) => row.paperIds).length;
    expect(await db.$count(sentPapers)).toBe(delivered);
    const ratings = await db.select({ rating: paperRatings.rating, paperId: paperRatings.paperId, email: subscribers.email }).from(paperRatings).innerJoin(subscribers, eq(subscribers.id, paperRatings.subscriberId));
    expect(ratings.length).toBeGreaterThan(0);
    for (const { rating, paperId, email } of ratings) {
      expect(email).toMatch(/\.learned@eval\.test$/);
      const reader = readers.find((candidate) => email!.startsWith(`${candidate.name}.`))!;
      expect(rating).toBe(isWanted(reader.interest, labelsOf.get(await arxivIdOf(paperId)) ?? []) ? 1 : -1);
    }
    const learnedDelivered = (await Promise.all(readers.map((reader) => digestsOf(`${reader.name}.learned@eval.test`)))).flat().flatMap((row) => row.paperIds).length;
    expect(ratings).toHaveLength(learnedDelivered);
  });
});

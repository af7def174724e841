import { papers, paperTopics, topics } from '@paperboy/db';
import { useTestContext } from '@paperboy/testing';
import { count, isNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loadTopicModel } from '../matching/matching.model.ts';
import { isDatabaseEmpty, seedDatabase } from './seed.usecases.ts';

describe('seeding', () => {
  const context = useTestContext();

  it('loads the 16 topics and 45 sample papers into an empty database and matches them, once', async () => {
    const { db } = context.database;
    expect(await isDatabaseEmpty({ db })).toBe(true);
    expect(await seedDatabase({ db, model: await loadTopicModel() })).toEqual({ topics: 16, papers: 45, matched: 45 });
    expect(await isDatabaseEmpty({ db })).toBe(false);
    expect(await seedDatabase({ db, model: await loadTopicModel() })).toEqual({ topics: 0, papers: 0, matched: 0 });
    const [topicCount] = await db.select({ value: count() }).from(topics);
    const [paperCount] = await db.select({ value: count() }).from(papers);
    const [unmatched] = await db.select({ value: count() }).from(papers).where(isNull(papers.matchedAt));
    const [matches] = await db.select({ value: count() }).from(paperTopics);
    expect(topicCount?.value).toBe(16);
    expect(paperCount?.value).toBe(45);
    expect(unmatched?.value).toBe(0);
    expect(matches?.value).toBeGreaterThan(45);
  });
});

import { readFileSync } from 'node:fs';
import { repoPath } from '@paperboy/runtime';
import { topics, type TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { TTopicModel } from '../matching/matching.model.ts';
import { matchPapers } from '../matching/matching.usecases.ts';
import { ZPaper } from '../papers/papers.schemas.ts';
import { storePapers } from '../papers/papers.usecases.ts';
import { ZTopic } from '../topics/topics.schemas.ts';

export class SeedFileError extends Error {}

function readSeedFile<T extends z.ZodType>(file: string, schema: T): z.output<T> {
  const path = repoPath('seeds', file);
  const result = schema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new SeedFileError(`seeds/${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return result.data;
}

export function readSeedTopics() {
  return readSeedFile('topics.json', z.array(ZTopic));
}

export function readSeedPapers() {
  return readSeedFile('papers.json', z.array(ZPaper));
}

/**
 * Loads the topic list and the sample papers, and matches the papers. Idempotent: topics are
 * matched by slug (an admin's later edits are kept) and papers go through the ingest use case,
 * keyed by arXiv id, so a second run creates and re-matches nothing. Matching runs here, not
 * through the queue, so a seeded database is complete before the worker starts.
 */
export async function seedDatabase({ db, model }: { db: TDb; model: TTopicModel }): Promise<{ topics: number; papers: number; matched: number }> {
  const seedTopics = readSeedTopics();
  const seedPapers = readSeedPapers();
  const insertedTopics = await db
    .insert(topics)
    .values(seedTopics)
    .onConflictDoNothing({ target: topics.slug })
    .returning({ id: topics.id });
  const stored = await storePapers({ db, papers: seedPapers, source: 'seed' });
  await matchPapers({ db, model, paperIds: stored.toMatch.map((paper) => paper.paperId) });
  return { topics: insertedTopics.length, papers: stored.created, matched: stored.toMatch.length };
}

export async function isDatabaseEmpty({ db }: { db: TDb }): Promise<boolean> {
  const { rows } = await db.execute<{ empty: boolean }>(
    sql`select not exists (select 1 from topics) and not exists (select 1 from papers) as empty`,
  );
  return rows[0]?.empty ?? true;
}

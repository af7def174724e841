import { readFileSync } from 'node:fs';
import { repoPath } from '@paperboy/config';
import { papers, topics, type TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { ZPaper } from '../papers/papers.schemas.ts';
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
 * Loads the topic list and the sample papers. Idempotent: topics are matched by slug and
 * papers by arXiv id, and a second run changes nothing that an admin edited since.
 */
export async function seedDatabase({ db }: { db: TDb }): Promise<{ topics: number; papers: number }> {
  const seedTopics = readSeedTopics();
  const seedPapers = readSeedPapers();
  const insertedTopics = await db
    .insert(topics)
    .values(seedTopics)
    .onConflictDoNothing({ target: topics.slug })
    .returning({ id: topics.id });
  const insertedPapers = await db
    .insert(papers)
    .values(
      seedPapers.map((paper) => ({
        ...paper,
        publishedAt: paper.publishedAt ? new Date(paper.publishedAt) : null,
        source: 'seed',
      })),
    )
    .onConflictDoNothing({ target: papers.arxivId })
    .returning({ id: papers.id });
  return { topics: insertedTopics.length, papers: insertedPapers.length };
}

export async function isDatabaseEmpty({ db }: { db: TDb }): Promise<boolean> {
  const { rows } = await db.execute<{ empty: boolean }>(
    sql`select not exists (select 1 from topics) and not exists (select 1 from papers) as empty`,
  );
  return rows[0]?.empty ?? true;
}

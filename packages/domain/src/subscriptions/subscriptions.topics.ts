import { topics, type TDb } from '@paperboy/db';
import { asc, inArray } from 'drizzle-orm';
import { unknownTopicsError } from './subscriptions.errors.ts';

export type TTopicChoice = { slug: string; name: string; description: string };

/** The topic list as signup and preference forms show it. `GET /api/topics` belongs to the topics module. */
export async function listTopicChoices({ db }: { db: TDb }): Promise<TTopicChoice[]> {
  return db.select({ slug: topics.slug, name: topics.name, description: topics.description }).from(topics).orderBy(asc(topics.name));
}

/** Topic ids for the given slugs; any slug that does not exist is a 400 naming the field. */
export async function resolveTopicIds({ db, slugs, field }: { db: TDb; slugs: string[]; field?: string }): Promise<number[]> {
  if (slugs.length === 0) return [];
  const rows = await db.select({ id: topics.id, slug: topics.slug }).from(topics).where(inArray(topics.slug, slugs));
  const known = new Set(rows.map((row) => row.slug));
  const unknown = slugs.filter((slug) => !known.has(slug));
  if (unknown.length > 0) throw unknownTopicsError({ slugs: unknown, field });
  return rows.map((row) => row.id);
}

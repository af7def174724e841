import { topics, type TDb } from '@paperboy/db';
import { asc, eq, sql } from 'drizzle-orm';
import type { TTopicInput } from './topics.schemas.ts';

export function createTopicsRepository({ db }: { db: TDb }) {
  return {
    listTopics: async () => {
      const rows = await db
        .select({
          id: topics.id,
          slug: topics.slug,
          name: topics.name,
          description: topics.description,
          terms: topics.terms,
          paperCount: sql<number>`(select count(*)::int from paper_topics pt where pt.topic_id = ${topics.id})`,
        })
        .from(topics)
        .orderBy(asc(topics.name));
      return { topics: rows };
    },

    getTopicBySlug: async ({ slug }: { slug: string }) => {
      const [topic] = await db.select().from(topics).where(eq(topics.slug, slug));
      return { topic };
    },

    /** Inserts unless the slug is taken; `topic` is undefined then. */
    createTopic: async ({ topic }: { topic: TTopicInput }) => {
      const [created] = await db.insert(topics).values(topic).onConflictDoNothing({ target: topics.slug }).returning();
      return { topic: created };
    },

    updateTopic: async ({ slug, changes }: { slug: string; changes: Omit<TTopicInput, 'slug'> }) => {
      const [updated] = await db.update(topics).set(changes).where(eq(topics.slug, slug)).returning();
      return { topic: updated };
    },
  };
}

import type { TDb } from '@paperboy/db';
import type { TTopicModel } from '../matching/matching.model.ts';
import { rescoreTopic } from '../matching/matching.usecases.ts';
import { AppError } from '../shared/errors.ts';
import { createTopicsRepository } from './topics.repository.ts';
import type { TTopicInput } from './topics.schemas.ts';

/** Papers this recent are re-scored when a topic changes: digests still draw from them. */
export const RESCORE_WINDOW_DAYS = 30;

const rescoreSince = (now: Date) => new Date(now.getTime() - RESCORE_WINDOW_DAYS * 24 * 3600 * 1000);

export async function listPublicTopics({ db }: { db: TDb }) {
  const { topics } = await createTopicsRepository({ db }).listTopics();
  return topics.map(({ slug, name, description }) => ({ slug, name, description }));
}

export async function listTopicsForAdmin({ db }: { db: TDb }) {
  const { topics } = await createTopicsRepository({ db }).listTopics();
  return topics;
}

/**
 * Adds a topic and matches it against recent papers in the same transaction, with one
 * set-based statement (not one job per paper): a new topic is useful at once.
 */
export async function createTopic({ db, model, topic, now = new Date() }: { db: TDb; model: TTopicModel; topic: TTopicInput; now?: Date }) {
  return db.transaction(async (tx) => {
    const { topic: created } = await createTopicsRepository({ db: tx }).createTopic({ topic });
    if (!created) {
      throw new AppError({ code: 'topics.slug_taken', status: 409, message: `A topic with the slug "${topic.slug}" already exists.` });
    }
    const { matched } = await rescoreTopic({ db: tx, model, topicId: created.id, since: rescoreSince(now) });
    return { topic: created, rematched: matched };
  });
}

/** Edits a topic's name, description or terms, and re-scores recent papers against the new terms. */
export async function updateTopic({
  db,
  model,
  slug,
  changes,
  now = new Date(),
}: {
  db: TDb;
  model: TTopicModel;
  slug: string;
  changes: Omit<TTopicInput, 'slug'>;
  now?: Date;
}) {
  return db.transaction(async (tx) => {
    const { topic } = await createTopicsRepository({ db: tx }).updateTopic({ slug, changes });
    if (!topic) throw new AppError({ code: 'topics.not_found', status: 404, message: `No topic with the slug "${slug}".` });
    const { matched } = await rescoreTopic({ db: tx, model, topicId: topic.id, since: rescoreSince(now) });
    return { topic, rematched: matched };
  });
}

import { subscribers, subscriberTopics, topics, type TDatabase, type TDb } from '@paperboy/db';
import { and, count, desc, eq, ilike, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { hashEmail } from './subscriptions.email-hash.ts';
import { subscriberExistsError, subscriberNotFoundError } from './subscriptions.errors.ts';
import { chooseKeywords } from './subscriptions.keywords.ts';
import { createSubscribersRepository } from './subscriptions.repository.ts';
import { ZSubscriberStatus, type TSignupInput } from './subscriptions.schemas.ts';
import { choiceDetails } from './subscriptions.usecases.ts';
import { resolveTopicIds } from './subscriptions.topics.ts';

export const ZAdminSubscriber = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  status: ZSubscriberStatus,
  frequency: z.enum(['daily', 'weekly']),
  digestSize: z.number().int(),
  topics: z.array(z.string()),
  pausedUntil: z.iso.datetime().nullable(),
  confirmedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type TAdminSubscriber = z.infer<typeof ZAdminSubscriber>;

export const ZAdminSubscriberQuery = z.object({
  status: ZSubscriberStatus.optional(),
  q: z.string().trim().max(254).optional(),
  topic: z.string().max(60).optional().describe('only subscribers who chose this topic slug'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export type TAdminSubscriberQuery = z.output<typeof ZAdminSubscriberQuery>;

// LIKE wildcards typed in the search box are searched for, not expanded.
const likeEscape = (value: string) => value.replace(/[\\%_]/g, (char) => `\\${char}`);

// Spelled out in full: drizzle prints a column of a one-table select unqualified, which inside
// this subquery would bind to topics.id.
const topicSlugs = sql<string[]>`coalesce((
  select array_agg(t.slug order by t.slug) from ${subscriberTopics} st join ${topics} t on t.id = st.topic_id
  where st.subscriber_id = subscribers.id), '{}')`;

export async function listSubscribers({ db, query }: { db: TDb; query: TAdminSubscriberQuery }) {
  const conditions: SQL[] = [];
  if (query.status) conditions.push(eq(subscribers.status, query.status));
  if (query.q) conditions.push(ilike(subscribers.email, `%${likeEscape(query.q.toLowerCase())}%`));
  if (query.topic) {
    conditions.push(sql`exists (select 1 from ${subscriberTopics} x join ${topics} xt on xt.id = x.topic_id
      where x.subscriber_id = ${subscribers.id} and xt.slug = ${query.topic})`);
  }
  const where = conditions.length > 0 ? and(...conditions) : undefined;
  const [rows, [total]] = await Promise.all([
    db
      .select({
        id: subscribers.id,
        email: subscribers.email,
        status: subscribers.status,
        frequency: subscribers.frequency,
        digestSize: subscribers.digestSize,
        topics: topicSlugs,
        pausedUntil: subscribers.pausedUntil,
        confirmedAt: subscribers.confirmedAt,
        createdAt: subscribers.createdAt,
      })
      .from(subscribers)
      .where(where)
      .orderBy(desc(subscribers.createdAt), desc(subscribers.id))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize),
    db.select({ total: count() }).from(subscribers).where(where),
  ]);
  return {
    items: rows.map((row) => ({
      ...row,
      pausedUntil: row.pausedUntil?.toISOString() ?? null,
      confirmedAt: row.confirmedAt?.toISOString() ?? null,
      createdAt: row.createdAt.toISOString(),
    })) satisfies TAdminSubscriber[],
    page: query.page,
    pageSize: query.pageSize,
    total: total?.total ?? 0,
  };
}

export async function subscriberCounts({ db }: { db: TDb }) {
  const [statusRows, topicRows] = await Promise.all([
    db.select({ status: subscribers.status, count: count() }).from(subscribers).groupBy(subscribers.status),
    db
      .select({
        slug: topics.slug,
        name: topics.name,
        confirmed: sql<number>`count(${subscribers.id}) filter (where ${subscribers.status} = 'confirmed')`.mapWith(Number),
        pending: sql<number>`count(${subscribers.id}) filter (where ${subscribers.status} = 'pending')`.mapWith(Number),
      })
      .from(topics)
      .leftJoin(subscriberTopics, eq(subscriberTopics.topicId, topics.id))
      .leftJoin(subscribers, eq(subscribers.id, subscriberTopics.subscriberId))
      .groupBy(topics.id)
      .orderBy(topics.slug),
  ]);
  const byStatus = { pending: 0, confirmed: 0, unsubscribed: 0, erased: 0 };
  for (const row of statusRows) byStatus[row.status] = row.count;
  return { byStatus, byTopic: topicRows };
}

/**
 * An operator adds someone who agreed elsewhere: confirmed at once, logged as `admin_add`.
 * Known addresses are refused rather than changed, and an erased one can never be added back.
 */
export async function addSubscriber({
  db,
  secretKey,
  input,
  now = new Date(),
}: {
  db: TDatabase;
  secretKey: string;
  input: TSignupInput;
  now?: Date;
}): Promise<{ subscriberId: string }> {
  const topicIds = await resolveTopicIds({ db, slugs: input.topics });
  const emailHash = hashEmail({ secretKey, email: input.email });
  return db.transaction(async (tx) => {
    const repository = createSubscribersRepository({ db: tx });
    const { subscriber } = await repository.insertIfNew({
      email: input.email,
      emailHash,
      frequency: input.frequency,
      digestSize: input.digestSize,
      status: 'confirmed',
      confirmedAt: now,
    });
    if (!subscriber) {
      const { subscriber: existing } = await repository.findByEmailHash({ emailHash });
      throw subscriberExistsError({ subscriberId: existing!.id, status: existing!.status });
    }
    await repository.replaceTopics({ subscriberId: subscriber.id, topicIds });
    await chooseKeywords({ db: tx, subscriberId: subscriber.id, phrases: input.keywords });
    await repository.recordConsent({ subscriberId: subscriber.id, kind: 'admin_add', details: choiceDetails(input), occurredAt: now });
    return { subscriberId: subscriber.id };
  });
}

/** Takes a subscriber off the list (unsubscribed, logged as `admin_remove`); their data stays until they erase it. */
export async function removeSubscriber({
  db,
  subscriberId,
  now = new Date(),
}: {
  db: TDatabase;
  subscriberId: string;
  now?: Date;
}): Promise<{ subscriberId: string; status: 'unsubscribed' | 'erased' }> {
  return db.transaction(async (tx) => {
    const repository = createSubscribersRepository({ db: tx });
    const { subscriber } = await repository.findById({ id: subscriberId, isForUpdate: true });
    if (!subscriber) throw subscriberNotFoundError();
    if (subscriber.status === 'erased' || subscriber.status === 'unsubscribed') return { subscriberId, status: subscriber.status };
    await repository.update({ id: subscriberId, values: { status: 'unsubscribed', unsubscribedAt: now } });
    await repository.recordConsent({ subscriberId, kind: 'admin_remove', occurredAt: now });
    return { subscriberId, status: 'unsubscribed' as const };
  });
}

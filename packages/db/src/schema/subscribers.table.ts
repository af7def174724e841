import { sql } from 'drizzle-orm';
import { check, index, integer, pgEnum, pgTable, primaryKey, serial, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.ts';
import { topics } from './topics.table.ts';

export const subscriberStatus = pgEnum('subscriber_status', ['pending', 'confirmed', 'unsubscribed', 'erased']);
export const digestFrequency = pgEnum('digest_frequency', ['daily', 'weekly']);

export const subscribers = pgTable(
  'subscribers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Null once the subscriber erased their data; email_hash stays so the address is never mailed again.
    email: text('email'),
    emailHash: text('email_hash').notNull().unique(),
    status: subscriberStatus('status').notNull().default('pending'),
    frequency: digestFrequency('frequency').notNull().default('weekly'),
    digestSize: smallint('digest_size').notNull().default(10),
    pausedUntil: timestamp('paused_until', { withTimezone: true }),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true }),
    lastConfirmationSentAt: timestamp('last_confirmation_sent_at', { withTimezone: true }),
    lastDigestAt: timestamp('last_digest_at', { withTimezone: true }),
    bounceCount: integer('bounce_count').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    check('subscribers_digest_size_check', sql`${table.digestSize} in (5, 10, 20)`),
    check('subscribers_email_present_check', sql`${table.status} = 'erased' or ${table.email} is not null`),
    // Digest planning scans confirmed subscribers of one frequency.
    index('subscribers_confirmed_frequency_idx').on(table.frequency).where(sql`${table.status} = 'confirmed'`),
    index('subscribers_status_created_idx').on(table.status, table.createdAt),
  ],
);

export const subscriberTopics = pgTable(
  'subscriber_topics',
  {
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    topicId: integer('topic_id')
      .notNull()
      .references(() => topics.id, { onDelete: 'cascade' }),
  },
  (table) => [primaryKey({ columns: [table.subscriberId, table.topicId] }), index('subscriber_topics_topic_idx').on(table.topicId)],
);

/** Distinct keyword phrases: papers are matched once per phrase, however many subscribers chose it. */
export const keywords = pgTable('keywords', {
  id: serial('id').primaryKey(),
  phrase: text('phrase').notNull().unique(),
  createdAt: createdAt(),
});

export const subscriberKeywords = pgTable(
  'subscriber_keywords',
  {
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    keywordId: integer('keyword_id')
      .notNull()
      .references(() => keywords.id, { onDelete: 'cascade' }),
  },
  (table) => [primaryKey({ columns: [table.subscriberId, table.keywordId] }), index('subscriber_keywords_keyword_idx').on(table.keywordId)],
);

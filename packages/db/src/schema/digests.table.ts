import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.ts';
import { papers } from './papers.table.ts';
import { digestFrequency, subscribers } from './subscribers.table.ts';

export const digestRunState = pgEnum('digest_run_state', ['planned', 'sending', 'paused', 'done', 'cancelled', 'failed']);
export const digestRunTrigger = pgEnum('digest_run_trigger', ['schedule', 'admin']);
export const deliveryState = pgEnum('delivery_state', ['pending', 'sending', 'sent', 'failed', 'cancelled']);

export const digestRuns = pgTable(
  'digest_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    frequency: digestFrequency('frequency').notNull(),
    // The period a run covers, e.g. "2026-W48" or "2026-11-27": one real run per frequency and period.
    periodKey: text('period_key').notNull(),
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    periodEnd: timestamp('period_end', { withTimezone: true }).notNull(),
    isDryRun: boolean('is_dry_run').notNull().default(false),
    trigger: digestRunTrigger('trigger').notNull().default('admin'),
    // Stop sending when this share of deliveries has failed (bounces, refusals).
    maxFailureRatio: real('max_failure_ratio').notNull().default(0.1),
    state: digestRunState('state').notNull().default('planned'),
    plannedCount: integer('planned_count').notNull().default(0),
    skippedCount: integer('skipped_count').notNull().default(0),
    sentCount: integer('sent_count').notNull().default(0),
    failedCount: integer('failed_count').notNull().default(0),
    pauseReason: text('pause_reason'),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    // A scheduler that fires twice for one period creates one run; admins may start more.
    uniqueIndex('digest_runs_scheduled_period_unique')
      .on(table.frequency, table.periodKey)
      .where(sql`${table.trigger} = 'schedule' and not ${table.isDryRun}`),
    index('digest_runs_created_idx').on(table.createdAt),
  ],
);

export const deliveries = pgTable(
  'deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runId: uuid('run_id')
      .notNull()
      .references(() => digestRuns.id, { onDelete: 'cascade' }),
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    state: deliveryState('state').notNull().default('pending'),
    // Papers chosen at planning time, in rank order. The "why you got this" line is written
    // at render time from the paper's matches, so planning moves only numbers.
    paperIds: bigint('paper_ids', { mode: 'number' }).array().notNull(),
    // For readers ranked by their ratings: per paper of paper_ids, the paper they rated up that
    // it most resembles (0 where their topics explain it), named in the "why" line. Empty for
    // everyone else.
    likedPaperIds: bigint('liked_paper_ids', { mode: 'number' }).array().notNull().default(sql`'{}'`),
    attempts: integer('attempts').notNull().default(0),
    messageId: text('message_id'),
    smtpResponse: text('smtp_response'),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex('deliveries_run_subscriber_unique').on(table.runId, table.subscriberId),
    index('deliveries_run_state_idx').on(table.runId, table.state),
    index('deliveries_subscriber_idx').on(table.subscriberId),
  ],
);

/** Every paper that reached a subscriber: a paper is never sent to the same person twice. */
export const sentPapers = pgTable(
  'sent_papers',
  {
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    paperId: bigint('paper_id', { mode: 'number' })
      .notNull()
      .references(() => papers.id, { onDelete: 'cascade' }),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.subscriberId, table.paperId] })],
);

export const consentEventKind = pgEnum('consent_event_kind', [
  'signup',
  'confirm',
  'preferences_changed',
  'paused',
  'unsubscribe',
  'resubscribe',
  'erase',
  'admin_add',
  'admin_remove',
  'bounce',
  'feedback',
  'suppressed',
  'suppression_lifted',
]);

/**
 * Append-only: a trigger (see the custom migration) refuses UPDATE and DELETE, except
 * nulling ip and user_agent when a subscriber erases their data.
 */
export const consentEvents = pgTable(
  'consent_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id),
    kind: consentEventKind('kind').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [index('consent_events_subscriber_idx').on(table.subscriberId, table.occurredAt)],
);

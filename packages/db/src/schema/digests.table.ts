import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
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
    // No default: every run says who started it, so a forgotten trigger fails instead of posing as an admin's.
    trigger: digestRunTrigger('trigger').notNull(),
    // Stop sending when this share of deliveries has failed (bounces, refusals).
    maxFailureRatio: real('max_failure_ratio').notNull().default(0.1),
    state: digestRunState('state').notNull().default('planned'),
    plannedCount: integer('planned_count').notNull().default(0),
    skippedCount: integer('skipped_count').notNull().default(0),
    // Readers left out because they were already sent a digest of this period (0 when forced).
    alreadyMailedCount: integer('already_mailed_count').notNull().default(0),
    // An admin asked to mail again readers already mailed this period.
    isForced: boolean('is_forced').notNull().default(false),
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
    // What the recipient's side said after the send: a refusal or a bounce report ('hard',
    // 'soft', 'policy'), and the code and kind ("5.1.1 hard"); and when a complaint came in.
    // Counted per run for its bounce and complaint rates.
    bounceKind: text('bounce_kind'),
    bounceClassification: text('bounce_classification'),
    complainedAt: timestamp('complained_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    uniqueIndex('deliveries_run_subscriber_unique').on(table.runId, table.subscriberId),
    index('deliveries_run_state_idx').on(table.runId, table.state),
    index('deliveries_subscriber_idx').on(table.subscriberId),
    // Bounce and complaint reports name the message they are about by its Message-ID.
    index('deliveries_message_id_idx').on(table.messageId).where(sql`${table.messageId} is not null`),
    check('deliveries_bounce_kind_check', sql`${table.bounceKind} in ('hard', 'soft', 'policy')`),
  ],
);

/**
 * Every paper that reached a subscriber: a paper is never sent to the same person twice. This
 * history outlives runs and deliveries: deleting either keeps the row (its delivery_id becomes
 * null), so an old run's removal can never let a paper be sent again.
 */
export const sentPapers = pgTable(
  'sent_papers',
  {
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    paperId: bigint('paper_id', { mode: 'number' })
      .notNull()
      .references(() => papers.id, { onDelete: 'cascade' }),
    deliveryId: uuid('delivery_id').references(() => deliveries.id, { onDelete: 'set null' }),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.subscriberId, table.paperId] }),
    // The primary key covers subscriber_id; these keep deleting a paper or a delivery from scanning the table.
    index('sent_papers_paper_idx').on(table.paperId),
    index('sent_papers_delivery_idx').on(table.deliveryId),
  ],
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

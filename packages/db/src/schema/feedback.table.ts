import { sql } from 'drizzle-orm';
import { bigint, check, index, pgTable, primaryKey, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { digestRuns } from './digests.table.ts';
import { papers } from './papers.table.ts';
import { subscribers } from './subscribers.table.ts';

/**
 * A reader's "more like this" (+1) or "less like this" (-1) on a paper; the latest click stands,
 * so one row per subscriber and paper. The run is kept for per-run counts in the console and is
 * cleared, not cascaded, when a run is deleted: the rating outlives the run.
 */
export const paperRatings = pgTable(
  'paper_ratings',
  {
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    paperId: bigint('paper_id', { mode: 'number' })
      .notNull()
      .references(() => papers.id, { onDelete: 'cascade' }),
    rating: smallint('rating').notNull(),
    runId: uuid('run_id').references(() => digestRuns.id, { onDelete: 'set null' }),
    ratedAt: timestamp('rated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.subscriberId, table.paperId] }),
    check('paper_ratings_rating_check', sql`${table.rating} in (-1, 1)`),
    index('paper_ratings_paper_idx').on(table.paperId),
    index('paper_ratings_run_idx').on(table.runId).where(sql`${table.runId} is not null`),
  ],
);

/**
 * Papers a reader named at signup or in the preference center as ones they liked, to seed their
 * profile before they have rated anything. `paper_id` is filled once the paper is in the database
 * (at once when it already was, else when the arXiv fetch or a later ingest brings it).
 */
export const subscriberSeedPapers = pgTable(
  'subscriber_seed_papers',
  {
    subscriberId: uuid('subscriber_id')
      .notNull()
      .references(() => subscribers.id, { onDelete: 'cascade' }),
    arxivId: text('arxiv_id').notNull(),
    paperId: bigint('paper_id', { mode: 'number' }).references(() => papers.id, { onDelete: 'set null' }),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.subscriberId, table.arxivId] }),
    index('subscriber_seed_papers_unresolved_idx').on(table.arxivId).where(sql`${table.paperId} is null`),
  ],
);

import { sql } from 'drizzle-orm';
import { check, index, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.ts';
import { deliveries } from './digests.table.ts';

export const suppressionReason = pgEnum('suppression_reason', ['hard_bounce', 'soft_bounce_limit', 'complaint', 'manual']);

/**
 * The one list of addresses never to mail, digests and confirmations alike. Keyed by the
 * address's HMAC (subscribers.email_hash), not the address: an erased subscriber leaves nothing
 * readable behind, and the same address signing up again is still recognised and not mailed.
 */
export const suppressions = pgTable(
  'suppressions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    emailHash: text('email_hash').notNull().unique(),
    reason: suppressionReason('reason').notNull(),
    // "5.1.1 hard", "complaint abuse": a code and a word, never the server's text.
    classification: text('classification'),
    // Where the evidence came from: smtp, dsn, arf, admin or webhook:<provider>.
    source: text('source').notNull(),
    deliveryId: uuid('delivery_id').references(() => deliveries.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (table) => [
    check('suppressions_source_check', sql`${table.source} ~ '^(smtp|dsn|arf|admin|webhook:[a-z0-9-]+)$'`),
    index('suppressions_created_idx').on(table.createdAt),
  ],
);

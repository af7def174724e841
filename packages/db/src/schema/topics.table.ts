import { jsonb, pgTable, serial, text } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.ts';

export type TTopicTerm = { term: string; weight: number };

export const topics = pgTable('topics', {
  id: serial('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  // The matcher's definition of the topic: weighted words and phrases.
  terms: jsonb('terms').$type<TTopicTerm[]>().notNull().default([]),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

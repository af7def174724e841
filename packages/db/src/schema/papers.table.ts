import { sql } from 'drizzle-orm';
import { bigserial, bigint, index, integer, pgTable, primaryKey, real, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt, tsvector, updatedAt } from './columns.ts';
import { keywords } from './subscribers.table.ts';
import { topics } from './topics.table.ts';

export const papers = pgTable(
  'papers',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    // arXiv id without version: a re-ingest or a v2 updates this row.
    arxivId: text('arxiv_id').notNull().unique(),
    title: text('title').notNull(),
    abstract: text('abstract').notNull(),
    authors: text('authors').array().notNull().default(sql`'{}'::text[]`),
    categories: text('categories').array().notNull().default(sql`'{}'::text[]`),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    upvotes: integer('upvotes').notNull().default(0),
    githubRepo: text('github_repo'),
    projectPage: text('project_page'),
    source: text('source').notNull(),
    searchVector: tsvector('search_vector')
      .notNull()
      .generatedAlwaysAs(
        sql`setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(abstract, '')), 'B')`,
      ),
    ingestedAt: timestamp('ingested_at', { withTimezone: true }).notNull().defaultNow(),
    matchedAt: timestamp('matched_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index('papers_search_idx').using('gin', table.searchVector),
    // Digest planning looks at papers ingested within the run's period.
    index('papers_ingested_at_idx').on(table.ingestedAt),
  ],
);

export const paperTopics = pgTable(
  'paper_topics',
  {
    paperId: bigint('paper_id', { mode: 'number' })
      .notNull()
      .references(() => papers.id, { onDelete: 'cascade' }),
    topicId: integer('topic_id')
      .notNull()
      .references(() => topics.id, { onDelete: 'cascade' }),
    score: real('score').notNull(),
    matchedTerms: text('matched_terms').array().notNull().default(sql`'{}'::text[]`),
  },
  (table) => [primaryKey({ columns: [table.paperId, table.topicId] }), index('paper_topics_topic_idx').on(table.topicId, table.paperId)],
);

export const paperKeywords = pgTable(
  'paper_keywords',
  {
    paperId: bigint('paper_id', { mode: 'number' })
      .notNull()
      .references(() => papers.id, { onDelete: 'cascade' }),
    keywordId: integer('keyword_id')
      .notNull()
      .references(() => keywords.id, { onDelete: 'cascade' }),
    score: real('score').notNull(),
  },
  (table) => [primaryKey({ columns: [table.paperId, table.keywordId] }), index('paper_keywords_keyword_idx').on(table.keywordId, table.paperId)],
);

import { paperRatings, papers, subscriberSeedPapers, sqlArray, type TDb } from '@paperboy/db';
import { and, asc, desc, eq, isNull, notInArray, sql } from 'drizzle-orm';
import type { TRating } from './feedback.tokens.ts';

export type TRatedPaper = { paperId: number; arxivId: string; title: string; rating: TRating; ratedAt: Date };
export type TLikedPaper = { arxivId: string; title: string | null; addedAt: Date };

/** A reader's ratings and liked papers. `db` may be a transaction. */
export function createFeedbackRepository({ db }: { db: TDb }) {
  return {
    /**
     * The latest click stands: one row per subscriber and paper. A run that no longer exists (a
     * preview's, or one deleted since) is stored as none. Writes nothing when the paper is gone.
     */
    upsertRating: async ({ subscriberId, paperId, rating, runId, now }: { subscriberId: string; paperId: number; rating: TRating; runId: string | null; now: Date }) => {
      const { rowCount } = await db.execute(sql`
        insert into paper_ratings (subscriber_id, paper_id, rating, run_id, rated_at)
        select ${subscriberId}, p.id, ${rating}, (select r.id from digest_runs r where r.id = ${runId}::uuid), ${now}
        from papers p where p.id = ${paperId}
        on conflict (subscriber_id, paper_id) do update
          set rating = excluded.rating, run_id = excluded.run_id, rated_at = excluded.rated_at
      `);
      return { isRecorded: (rowCount ?? 0) > 0 };
    },

    /** Removes a rating; with `rating`, only when it is still that one (a later opposite click stands). */
    removeRating: async ({ subscriberId, paperId, rating }: { subscriberId: string; paperId: number; rating?: TRating }) => {
      const removed = await db
        .delete(paperRatings)
        .where(
          and(
            eq(paperRatings.subscriberId, subscriberId),
            eq(paperRatings.paperId, paperId),
            rating === undefined ? undefined : eq(paperRatings.rating, rating),
          ),
        )
        .returning({ paperId: paperRatings.paperId });
      return { isRemoved: removed.length > 0 };
    },

    findRating: async ({ subscriberId, paperId }: { subscriberId: string; paperId: number }) => {
      const [row] = await db
        .select({ rating: paperRatings.rating })
        .from(paperRatings)
        .where(and(eq(paperRatings.subscriberId, subscriberId), eq(paperRatings.paperId, paperId)));
      return { rating: row ? (row.rating as TRating) : null };
    },

    listRatings: async ({ subscriberId }: { subscriberId: string }): Promise<TRatedPaper[]> => {
      const rows = await db
        .select({ paperId: papers.id, arxivId: papers.arxivId, title: papers.title, rating: paperRatings.rating, ratedAt: paperRatings.ratedAt })
        .from(paperRatings)
        .innerJoin(papers, eq(papers.id, paperRatings.paperId))
        .where(eq(paperRatings.subscriberId, subscriberId))
        .orderBy(desc(paperRatings.ratedAt), desc(papers.id));
      return rows.map((row) => ({ ...row, rating: row.rating as TRating }));
    },

    listLikedPapers: async ({ subscriberId }: { subscriberId: string }): Promise<TLikedPaper[]> =>
      db
        .select({ arxivId: subscriberSeedPapers.arxivId, title: papers.title, addedAt: subscriberSeedPapers.addedAt })
        .from(subscriberSeedPapers)
        .leftJoin(papers, eq(papers.id, subscriberSeedPapers.paperId))
        .where(eq(subscriberSeedPapers.subscriberId, subscriberId))
        .orderBy(asc(subscriberSeedPapers.addedAt), asc(subscriberSeedPapers.arxivId)),

    /**
     * Makes the reader's liked papers exactly `arxivIds`: others are dropped, new ones are added
     * with `paper_id` filled at once when the paper is stored. Returns the ids still unresolved.
     */
    replaceLikedPapers: async ({ subscriberId, arxivIds, now }: { subscriberId: string; arxivIds: string[]; now: Date }) => {
      await db
        .delete(subscriberSeedPapers)
        .where(and(eq(subscriberSeedPapers.subscriberId, subscriberId), arxivIds.length > 0 ? notInArray(subscriberSeedPapers.arxivId, arxivIds) : undefined));
      if (arxivIds.length === 0) return { unresolved: [] };
      await db.execute(sql`
        insert into subscriber_seed_papers (subscriber_id, arxiv_id, paper_id, added_at)
        select ${subscriberId}, wanted.arxiv_id, p.id, ${now}
        from unnest(${sqlArray(arxivIds, 'text')}) as wanted(arxiv_id)
        left join papers p on p.arxiv_id = wanted.arxiv_id
        on conflict (subscriber_id, arxiv_id) do nothing
      `);
      const unresolved = await db
        .select({ arxivId: subscriberSeedPapers.arxivId })
        .from(subscriberSeedPapers)
        .where(and(eq(subscriberSeedPapers.subscriberId, subscriberId), isNull(subscriberSeedPapers.paperId)));
      return { unresolved: unresolved.map((row) => row.arxivId) };
    },

    /** Of the given arXiv ids, those some reader liked and no ingest has brought yet. */
    findUnresolvedLiked: async ({ arxivIds }: { arxivIds: string[] }) => {
      const { rows } = await db.execute<{ arxiv_id: string }>(sql`
        select distinct arxiv_id from subscriber_seed_papers
        where paper_id is null and arxiv_id = any(${sqlArray(arxivIds, 'text')})
        order by arxiv_id
      `);
      return rows.map((row) => row.arxiv_id);
    },

    /** Erasure: a reader's ratings and liked papers go entirely. */
    eraseFor: async ({ subscriberId }: { subscriberId: string }) => {
      await db.delete(paperRatings).where(eq(paperRatings.subscriberId, subscriberId));
      await db.delete(subscriberSeedPapers).where(eq(subscriberSeedPapers.subscriberId, subscriberId));
    },
  };
}

export type TFeedbackRepository = ReturnType<typeof createFeedbackRepository>;

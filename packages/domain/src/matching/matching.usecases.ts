import { keywords, paperKeywords, papers, paperTopics, topics, sqlArray, type TDb } from '@paperboy/db';
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { compileTerms } from './matching.terms.ts';
import { MATCHING, scoredMatchesSql } from './matching.scoring.ts';

export type TPaperMatch = { paperId: number; topics: { topicId: number; score: number; matchedTerms: string[] }[]; keywordIds: number[] };

async function insertTopicMatches({ db, topicRows, paperScope }: { db: TDb; topicRows: { id: number; terms: { term: string; weight: number }[] }[]; paperScope: SQL }) {
  const terms = compileTerms(topicRows);
  if (terms.length === 0) return 0;
  const result = await db.execute(sql`
    insert into paper_topics (paper_id, topic_id, score, matched_terms)
    select paper_id, owner_id, score, matched_terms
    from (${scoredMatchesSql({ terms, paperScope })}) scored
    where score >= ${MATCHING.topicThreshold}
  `);
  return result.rowCount ?? 0;
}

async function insertKeywordMatches({ db, keywordRows, paperScope }: { db: TDb; keywordRows: { id: number; phrase: string }[]; paperScope: SQL }) {
  const terms = compileTerms(keywordRows.map((row) => ({ id: row.id, terms: [{ term: row.phrase, weight: MATCHING.keywordWeight }] })));
  if (terms.length === 0) return 0;
  const result = await db.execute(sql`
    insert into paper_keywords (paper_id, keyword_id, score)
    select paper_id, owner_id, score
    from (${scoredMatchesSql({ terms, paperScope })}) scored
    where score > ${MATCHING.keywordThreshold}
  `);
  return result.rowCount ?? 0;
}

/**
 * Scores a batch of papers against every topic and every distinct keyword phrase, replacing
 * their earlier matches, and stamps `matched_at`: one statement per kind for the whole batch.
 * Idempotent, so a retried or duplicated job is harmless. Papers that no longer exist are
 * left out of the result.
 */
export async function matchPapers({ db, paperIds }: { db: TDb; paperIds: number[] }): Promise<TPaperMatch[]> {
  return db.transaction(async (tx) => {
    // The row locks serialise two jobs for the same paper, so their delete-then-insert cannot
    // interleave; taken in id order, so two overlapping batches cannot deadlock.
    const rows = await tx.select({ id: papers.id }).from(papers).where(inArray(papers.id, paperIds)).orderBy(papers.id).for('update');
    const ids = rows.map((row) => row.id);
    if (ids.length === 0) return [];
    const paperScope = sql`p.id = any(${sqlArray(ids, 'bigint')})`;
    await tx.delete(paperTopics).where(inArray(paperTopics.paperId, ids));
    await tx.delete(paperKeywords).where(inArray(paperKeywords.paperId, ids));
    await insertTopicMatches({ db: tx, topicRows: await tx.select({ id: topics.id, terms: topics.terms }).from(topics), paperScope });
    await insertKeywordMatches({ db: tx, keywordRows: await tx.select({ id: keywords.id, phrase: keywords.phrase }).from(keywords), paperScope });
    await tx.update(papers).set({ matchedAt: sql`now()` }).where(inArray(papers.id, ids));
    const topicMatches = await tx
      .select({ paperId: paperTopics.paperId, topicId: paperTopics.topicId, score: paperTopics.score, matchedTerms: paperTopics.matchedTerms })
      .from(paperTopics)
      .where(inArray(paperTopics.paperId, ids))
      .orderBy(sql`${paperTopics.score} desc`);
    const keywordMatches = await tx
      .select({ paperId: paperKeywords.paperId, keywordId: paperKeywords.keywordId })
      .from(paperKeywords)
      .where(inArray(paperKeywords.paperId, ids));
    return ids.map((paperId) => ({
      paperId,
      topics: topicMatches.filter((match) => match.paperId === paperId).map(({ paperId: _, ...match }) => match),
      keywordIds: keywordMatches.filter((match) => match.paperId === paperId).map((match) => match.keywordId),
    }));
  });
}

/**
 * Re-scores one topic against the papers ingested since `since`, in one set-based statement:
 * used when an admin adds a topic or edits its terms, so recent papers (the ones digests still
 * draw from) reflect the new definition at once. Returns how many of them now match.
 */
export async function rescoreTopic({ db, topicId, since }: { db: TDb; topicId: number; since: Date }): Promise<{ matched: number }> {
  return db.transaction(async (tx) => {
    const topicRows = await tx.select({ id: topics.id, terms: topics.terms }).from(topics).where(eq(topics.id, topicId));
    await tx.execute(sql`
      delete from paper_topics pt using papers p
      where pt.paper_id = p.id and pt.topic_id = ${topicId} and p.ingested_at >= ${since.toISOString()}
    `);
    const matched = await insertTopicMatches({ db: tx, topicRows, paperScope: sql`p.ingested_at >= ${since.toISOString()}` });
    return { matched };
  });
}

/**
 * Matches keyword phrases (new ones, typically, when a subscriber adds a keyword) against the
 * papers ingested since `since`: one statement for all of them, however many subscribers chose each.
 */
export async function matchKeywords({ db, keywordIds, since }: { db: TDb; keywordIds: number[]; since: Date }): Promise<{ matched: number }> {
  if (keywordIds.length === 0) return { matched: 0 };
  return db.transaction(async (tx) => {
    const keywordRows = await tx.select({ id: keywords.id, phrase: keywords.phrase }).from(keywords).where(inArray(keywords.id, keywordIds));
    await tx.execute(sql`
      delete from paper_keywords pk using papers p
      where pk.paper_id = p.id and pk.keyword_id in (${sql.join(keywordIds.map((id) => sql`${id}`), sql`, `)}) and p.ingested_at >= ${since.toISOString()}
    `);
    const matched = await insertKeywordMatches({ db: tx, keywordRows, paperScope: sql`p.ingested_at >= ${since.toISOString()}` });
    return { matched };
  });
}

/** Papers whose match job never ran (or was lost with Redis): Postgres says what is left to do. */
export async function findUnmatchedPapers({ db, limit }: { db: TDb; limit: number }) {
  return db
    .select({ id: papers.id, title: papers.title, abstract: papers.abstract })
    .from(papers)
    .where(and(sql`${papers.matchedAt} is null`))
    .orderBy(papers.id)
    .limit(limit);
}

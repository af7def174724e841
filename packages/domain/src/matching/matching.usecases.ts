import { keywords, paperKeywords, papers, paperTopics, topics, sqlArray, type TDb } from '@paperboy/db';
import { and, inArray, sql, type SQL } from 'drizzle-orm';
import { compileTerms } from './matching.terms.ts';
import { MATCHING, scoredMatchesSql } from './matching.scoring.ts';
import type { TTermHit, TTopicModel } from './matching.model.ts';
import { hitKey, predictTopicMatches, type TTopicMatchRow } from './matching.predict.ts';

export type TPaperMatch = { paperId: number; topics: { topicId: number; score: number; matchedTerms: string[] }[]; keywordIds: number[] };

/** Every topic's term-list score for the papers in `paperScope`, without the threshold: evidence for the model. */
export async function readTermHits({ db, topicRows, paperScope }: { db: TDb; topicRows: { id: number; terms: { term: string; weight: number }[] }[]; paperScope: SQL }) {
  const terms = compileTerms(topicRows);
  const hits = new Map<string, TTermHit>();
  if (terms.length === 0) return hits;
  const { rows } = await db.execute<{ paper_id: string; owner_id: number; score: number; matched_terms: string[] }>(scoredMatchesSql({ terms, paperScope }));
  for (const row of rows) hits.set(hitKey(Number(row.paper_id), row.owner_id), { score: row.score, matchedTerms: row.matched_terms });
  return hits;
}

/** The decided matches in one statement, whatever their number. */
async function insertTopicMatches({ db, matches }: { db: TDb; matches: TTopicMatchRow[] }) {
  if (matches.length === 0) return 0;
  // node-postgres has no two-dimensional ragged arrays, so each match's terms travel as one JSON array.
  const result = await db.execute(sql`
    insert into paper_topics (paper_id, topic_id, score, matched_terms)
    select m.paper_id, m.topic_id, m.score, array(select jsonb_array_elements_text(m.terms))
    from unnest(
      ${sqlArray(matches.map((match) => match.paperId), 'bigint')},
      ${sqlArray(matches.map((match) => match.topicId), 'integer')},
      ${sql.param(matches.map((match) => match.score))}::real[],
      ${sql.param(matches.map((match) => JSON.stringify(match.matchedTerms)))}::jsonb[]
    ) as m(paper_id, topic_id, score, terms)
  `);
  return result.rowCount ?? 0;
}

async function insertKeywordMatches({ db, keywordRows, paperScope }: { db: TDb; keywordRows: { id: number; phrase: string }[]; paperScope: SQL }) {
  const terms = compileTerms(keywordRows.map((row) => ({ id: row.id, terms: [{ term: row.phrase, weight: MATCHING.keywordWeight }] })));
  if (terms.length === 0) return [];
  const { rows } = await db.execute<{ paper_id: string; keyword_id: number }>(sql`
    insert into paper_keywords (paper_id, keyword_id, score)
    select paper_id, owner_id, score
    from (${scoredMatchesSql({ terms, paperScope })}) scored
    where score > ${MATCHING.keywordThreshold}
    returning paper_id, keyword_id
  `);
  return rows.map((row) => ({ paperId: Number(row.paper_id), keywordId: row.keyword_id }));
}

/**
 * Scores a batch of papers against every topic and every distinct keyword phrase, replacing
 * their earlier matches, and stamps `matched_at`. Topics: one statement scores the term lists
 * for the whole batch, the model decides in memory, one statement inserts. Keywords: one statement.
 * Idempotent, so a retried or duplicated job is harmless. Papers that no longer exist are
 * left out of the result.
 */
export async function matchPapers({ db, model, paperIds }: { db: TDb; model: TTopicModel; paperIds: number[] }): Promise<TPaperMatch[]> {
  return db.transaction(async (tx) => {
    // The row locks serialise two jobs for the same paper, so their delete-then-insert cannot
    // interleave; taken in id order, so two overlapping batches cannot deadlock.
    const rows = await tx
      .select({ id: papers.id, title: papers.title, abstract: papers.abstract, categories: papers.categories })
      .from(papers)
      .where(inArray(papers.id, paperIds))
      .orderBy(papers.id)
      .for('update');
    const ids = rows.map((row) => row.id);
    if (ids.length === 0) return [];
    const paperScope = sql`p.id = any(${sqlArray(ids, 'bigint')})`;
    await tx.delete(paperTopics).where(inArray(paperTopics.paperId, ids));
    await tx.delete(paperKeywords).where(inArray(paperKeywords.paperId, ids));
    const topicRows = await tx.select({ id: topics.id, slug: topics.slug, terms: topics.terms }).from(topics);
    const hits = await readTermHits({ db: tx, topicRows, paperScope });
    const topicMatches = predictTopicMatches({ model, papers: rows, topics: topicRows, hits });
    await insertTopicMatches({ db: tx, matches: topicMatches });
    const keywordMatches = await insertKeywordMatches({ db: tx, keywordRows: await tx.select({ id: keywords.id, phrase: keywords.phrase }).from(keywords), paperScope });
    await tx.update(papers).set({ matchedAt: sql`now()` }).where(inArray(papers.id, ids));
    // What was written is known here: no need to read it back.
    const byPaper = new Map(ids.map((paperId) => [paperId, { paperId, topics: [] as TPaperMatch['topics'], keywordIds: [] as number[] }]));
    for (const { paperId, topicId, score, matchedTerms } of [...topicMatches].sort((a, b) => b.score - a.score)) {
      byPaper.get(paperId)!.topics.push({ topicId, score: Math.fround(score), matchedTerms });
    }
    for (const match of keywordMatches) byPaper.get(match.paperId)?.keywordIds.push(match.keywordId);
    return [...byPaper.values()];
  });
}

/**
 * Re-scores one topic against the papers ingested since `since`: used when an admin adds a topic
 * or edits its terms, so recent papers (the ones digests still draw from) reflect the new
 * definition at once. The edited terms reach the model as its term-list features; topics that
 * imply this one are scored too, so their papers keep it. Returns how many papers now match.
 */
export async function rescoreTopic({ db, model, topicId, since }: { db: TDb; model: TTopicModel; topicId: number; since: Date }): Promise<{ matched: number }> {
  return db.transaction(async (tx) => {
    const allTopics = await tx.select({ id: topics.id, slug: topics.slug, terms: topics.terms }).from(topics);
    const topic = allTopics.find((row) => row.id === topicId);
    if (!topic) return { matched: 0 };
    const deciding = allTopics.filter((row) => row.id === topicId || (model.implications[row.slug] ?? []).includes(topic.slug));
    const inWindow = sql`p.ingested_at >= ${since.toISOString()}`;
    const recent = await tx
      .select({ id: papers.id, title: papers.title, abstract: papers.abstract, categories: papers.categories })
      .from(papers)
      .where(sql`${papers.ingestedAt} >= ${since.toISOString()}`);
    const hits = await readTermHits({ db: tx, topicRows: allTopics, paperScope: inWindow });
    const only = new Set(deciding.map((row) => row.id));
    const matches = predictTopicMatches({ model, papers: recent, topics: allTopics, hits, only }).filter((match) => match.topicId === topicId);
    await tx.execute(sql`
      delete from paper_topics pt using papers p
      where pt.paper_id = p.id and pt.topic_id = ${topicId} and ${inWindow}
    `);
    return { matched: await insertTopicMatches({ db: tx, matches }) };
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
    return { matched: matched.length };
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

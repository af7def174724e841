import type { TDb } from '@paperboy/db';
import { sqlArray } from '@paperboy/db';
import { sql } from 'drizzle-orm';
import { buildVocabulary, createTextVectorizer, type TSparseVector } from '../matching/matching.features.ts';

export type TPaperVectors = { vectors: Map<number, TSparseVector>; dimensions: number };

/**
 * TF-IDF vectors of title and abstract for the papers a run ranks and the papers its readers
 * rated, computed once per run. The idf is that of these papers: what sets a paper apart among
 * the ones a reader is choosing from this period.
 */
export async function loadPaperVectors({ db, paperIds }: { db: TDb; paperIds: number[] }): Promise<TPaperVectors> {
  const { rows } = await db.execute<{ id: string; title: string; abstract: string }>(sql`
    select id, title, abstract from papers where id = any(${sqlArray(paperIds, 'bigint')})
  `);
  const papers = rows.map((row) => ({ id: Number(row.id), title: row.title, abstract: row.abstract }));
  const vectorizer = createTextVectorizer(buildVocabulary({ papers }));
  return { vectors: new Map(papers.map((paper) => [paper.id, vectorizer.vectorize(paper)])), dimensions: vectorizer.size };
}

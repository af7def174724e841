import { papers as papersTable, topics as topicsTable } from '@paperboy/db';
import { loadTopicModel, predictTopicMatches, readLabelledPapers, readTermHits, storeLabelledPapers } from '@paperboy/domain';
import { sql } from 'drizzle-orm';
import { freshDatabase } from './database.ts';

/**
 * The topic model's predict step alone (vectorise, regressions, neighbour vote, explaining words):
 * the tuning papers with their term-list hits, scored once by PostgreSQL, predicted `rounds` times in memory.
 */
export async function benchPredict({ adminUrl, rounds }: { adminUrl: string; rounds: number }) {
  const database = await freshDatabase({ adminUrl, name: 'paperboy_bench_predict' });
  try {
    const model = await loadTopicModel();
    await storeLabelledPapers({ db: database.db, labelled: readLabelledPapers().tuning });
    const papers = await database.db
      .select({ id: papersTable.id, title: papersTable.title, abstract: papersTable.abstract, categories: papersTable.categories })
      .from(papersTable)
      .orderBy(papersTable.id);
    const topicRows = await database.db.select({ id: topicsTable.id, slug: topicsTable.slug, terms: topicsTable.terms }).from(topicsTable);
    const hits = await readTermHits({ db: database.db, topicRows, paperScope: sql`true` });
    const topics = topicRows.map(({ id, slug }) => ({ id, slug }));
    // One pass first, so the figure is the compiled code's.
    predictTopicMatches({ model, papers, topics, hits });
    const started = performance.now();
    for (let round = 0; round < rounds; round += 1) predictTopicMatches({ model, papers, topics, hits });
    const seconds = (performance.now() - started) / 1000;
    return { papers: papers.length, rounds, papersPerSecond: (papers.length * rounds) / seconds };
  } finally {
    await database.close();
  }
}

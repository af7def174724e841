import { type TDb } from '@paperboy/db';
import { sql } from 'drizzle-orm';

export type TTopicScore = { slug: string; support: number; predicted: number; truePositives: number; precision: number; recall: number; f1: number };
export type TEvaluation = {
  topics: TTopicScore[];
  micro: { precision: number; recall: number; f1: number };
  /** Averaged over the topics that have at least one labelled paper; the others have no recall to measure. */
  macro: { precision: number; recall: number; f1: number; topics: number };
};

const ratio = (numerator: number, denominator: number) => (denominator === 0 ? 0 : numerator / denominator);
const harmonic = (precision: number, recall: number) => (precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall));

/**
 * Compares the stored paper_topics of the labelled papers with their labels (arXiv id to topic
 * slugs). Papers that are not labelled are ignored, so it can run on a database with other papers.
 */
export async function evaluateMatching({ db, labels }: { db: TDb; labels: Record<string, string[]> }): Promise<TEvaluation> {
  const { rows } = await db.execute<{ arxiv_id: string; slug: string }>(sql`
    select p.arxiv_id, t.slug from paper_topics pt join papers p on p.id = pt.paper_id join topics t on t.id = pt.topic_id
  `);
  const { rows: topicRows } = await db.execute<{ slug: string }>(sql`select slug from topics order by slug`);
  const predicted = new Set(rows.filter((row) => row.arxiv_id in labels).map((row) => `${row.arxiv_id} ${row.slug}`));
  const actual = new Set(Object.entries(labels).flatMap(([arxivId, slugs]) => slugs.map((slug) => `${arxivId} ${slug}`)));
  const topics = topicRows.map(({ slug }) => {
    const ofTopic = (pairs: Set<string>) => [...pairs].filter((pair) => pair.endsWith(` ${slug}`));
    const predictedPairs = ofTopic(predicted);
    const actualPairs = ofTopic(actual);
    const truePositives = predictedPairs.filter((pair) => actual.has(pair)).length;
    const precision = ratio(truePositives, predictedPairs.length);
    const recall = ratio(truePositives, actualPairs.length);
    return { slug, support: actualPairs.length, predicted: predictedPairs.length, truePositives, precision, recall, f1: harmonic(precision, recall) };
  });
  const truePositives = topics.reduce((sum, topic) => sum + topic.truePositives, 0);
  const microPrecision = ratio(truePositives, predicted.size);
  const microRecall = ratio(truePositives, actual.size);
  const labelled = topics.filter((topic) => topic.support > 0);
  const mean = (values: number[]) => ratio(values.reduce((sum, value) => sum + value, 0), values.length);
  return {
    topics,
    micro: { precision: microPrecision, recall: microRecall, f1: harmonic(microPrecision, microRecall) },
    macro: {
      precision: mean(labelled.map((topic) => topic.precision)),
      recall: mean(labelled.map((topic) => topic.recall)),
      f1: mean(labelled.map((topic) => topic.f1)),
      topics: labelled.length,
    },
  };
}

export function formatEvaluation(evaluation: TEvaluation): string {
  const pct = (value: number) => value.toFixed(2);
  const lines = ['topic                    support  predicted  precision  recall    f1'];
  for (const topic of evaluation.topics) {
    lines.push(
      `${topic.slug.padEnd(24)} ${String(topic.support).padStart(7)}  ${String(topic.predicted).padStart(9)}  ${pct(topic.precision).padStart(9)}  ${pct(topic.recall).padStart(6)}  ${pct(topic.f1).padStart(4)}`,
    );
  }
  lines.push(`micro: precision ${pct(evaluation.micro.precision)}  recall ${pct(evaluation.micro.recall)}  F1 ${pct(evaluation.micro.f1)}`);
  lines.push(
    `macro (${evaluation.macro.topics} labelled topics): precision ${pct(evaluation.macro.precision)}  recall ${pct(evaluation.macro.recall)}  F1 ${pct(evaluation.macro.f1)}`,
  );
  return lines.join('\n');
}
